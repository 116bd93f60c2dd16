/** A plain-text table: a header row, a rule, then rows; numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  // A column is numeric when every cell is a number or "–" (not measured) or empty.
  const numeric = header.map(
    (_, c) =>
      rows.some((row) => isNumeric(row[c])) &&
      rows.every((row) => isNumeric(row[c]) || row[c] === '–' || row[c] === ''),
  );
  const line = (row: string[]) =>
    row
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

function isNumeric(cell: string | number | undefined): boolean {
  return (
    typeof cell === 'number' ||
    (typeof cell === 'string' && /^[-+]?[\d.,]+(e[-+]?\d+)?[×%x]?$/.test(cell))
  );
}

/** A metric with a fixed number of decimals, or "–" when it was not measured. */
export function fixed(value: number | undefined | null, decimals = 4): string {
  return value === undefined || value === null || !Number.isFinite(value)
    ? '–'
    : value.toFixed(decimals);
}
