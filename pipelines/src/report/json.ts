/** JSON with non-finite numbers kept readable ("Infinity"), since configs use Infinity for "off". */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    typeof v === 'number' && !Number.isFinite(v)
      ? String(v)
      : v instanceof Float64Array
        ? [...v]
        : v,
  );
}
