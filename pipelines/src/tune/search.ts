/**
 * Coordinate descent over a grid: for each parameter in turn, try every candidate value with
 * the others fixed and keep the best; repeat for `passes` passes or until nothing changes.
 * Deterministic: candidates are tried in the order given, ties keep the earlier value, and a
 * "cost" parameter (iterations, factors) takes its cheapest value within `tolerance` of the
 * best, so the defaults are not slower than the validation data can justify.
 */

export interface Dimension<C> {
  /** The config key this dimension sets. */
  readonly key: keyof C & string;
  /** Candidate values; null where the config uses null for "off". */
  readonly values: readonly (number | null)[];
  /** Values are ascending in cost: prefer the cheapest within the tolerance of the best. */
  readonly cost?: boolean;
  /** Why the grid stops where it does, when a budget rather than the data bounds it (printed). */
  readonly bound?: string;
}

export interface Trial<C> {
  readonly config: C;
  readonly score: number;
}

export interface SearchOptions<C> {
  readonly start: C;
  readonly dimensions: readonly Dimension<C>[];
  /** Higher is better (negate an error). */
  readonly score: (config: C) => Promise<number>;
  readonly passes: number;
  /** How close to the best a cheaper cost value must be to be chosen. */
  readonly tolerance: number;
  readonly onTrial?: (trial: Trial<C>, key: string) => void;
}

export async function coordinateDescent<C extends object>(
  options: SearchOptions<C>,
): Promise<{ best: Trial<C>; trials: Trial<C>[] }> {
  const cache = new Map<string, number>();
  const trials: Trial<C>[] = [];
  const evaluate = async (config: C, key: string): Promise<number> => {
    const id = JSON.stringify(config, (_, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
    const known = cache.get(id);
    if (known !== undefined) return known;
    const score = await options.score(config);
    cache.set(id, score);
    const trial = { config, score };
    trials.push(trial);
    options.onTrial?.(trial, key);
    return score;
  };
  let current = options.start;
  let currentScore = await evaluate(current, 'start');
  for (let pass = 0; pass < options.passes; pass++) {
    let changed = false;
    for (const dimension of options.dimensions) {
      const scored: { value: number | null; score: number }[] = [];
      for (const value of candidates(dimension, current[dimension.key] as number | null)) {
        const config = { ...current, [dimension.key]: value };
        scored.push({ value, score: await evaluate(config, dimension.key) });
      }
      const best = scored.reduce((a, b) => (b.score > a.score ? b : a));
      const chosen = dimension.cost
        ? (scored.find((s) => s.score >= best.score - options.tolerance) ?? best)
        : best;
      if (chosen.value !== current[dimension.key]) {
        current = { ...current, [dimension.key]: chosen.value };
        currentScore = chosen.score;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { best: { config: current, score: currentScore }, trials };
}

/** The grid's values plus the current one if the grid lacks it (in cost order for cost dimensions). */
function candidates<C>(dimension: Dimension<C>, current: number | null): (number | null)[] {
  if (dimension.values.includes(current)) return [...dimension.values];
  if (!dimension.cost || current === null) return [current, ...dimension.values];
  const position = dimension.values.findIndex((v) => v !== null && v > current);
  const values = [...dimension.values];
  values.splice(position < 0 ? values.length : position, 0, current);
  return values;
}
