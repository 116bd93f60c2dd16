import type { Ratings } from '@reel/functions/model';
import { ratingErrors } from '../eval/metrics.js';
import { rankingTask, scoreLists } from '../eval/protocol-t.js';
import type { Split } from '../eval/splits.js';
import { EXPLICIT_GRID, RANKING_GRID } from '../tune/objectives.js';
import { coordinateDescent, type Dimension } from '../tune/search.js';
import { type PeerName, type PeerOutcome, type PeerTask, runPeer } from './peers.js';

export type PeerSettings = Record<string, number>;

/** A peer, the task it is tuned for, where its search starts and the grid it searches. */
export interface PeerSpec {
  readonly name: string;
  readonly peer: PeerName;
  /** What the peer is for, and so what it is tuned on: validation RMSE or NDCG@10. */
  readonly task: PeerTask;
  /** The library's own defaults (the search's first configuration). */
  readonly start: PeerSettings;
  readonly grid: readonly Dimension<PeerSettings>[];
  /** Why the grid stops short of the range a sibling peer searches, when it does (printed). */
  readonly gridNote?: string;
}

/**
 * How many configurations one coordinate-descent pass of `npm run tune` tries for our model of
 * a task: its start, then every other value of each knob. Each peer gets the same number on the
 * same validation split, so the budget follows our grid when that changes.
 */
export function tuningBudget(task: PeerTask): number {
  const sizes = (task === 'rating' ? EXPLICIT_GRID : RANKING_GRID).map((d) => d.values.length);
  return 1 + sizes.reduce((sum, size) => sum + size - 1, 0);
}

/**
 * The peers and their grids. Surprise's SVD and SVD++ are rating models (tuned on validation
 * RMSE, then also ranked by predicted stars); implicit's ALS and EASE are ranking models (tuned
 * on validation NDCG@10). `positiveThreshold` turns ratings into binary evidence (0.5 = every
 * rating), as our ranking model's own threshold does.
 */
export const PEERS: readonly PeerSpec[] = [
  {
    name: 'Surprise SVD',
    peer: 'surprise-svd',
    task: 'rating',
    start: { n_factors: 100, n_epochs: 20, lr_all: 0.005, reg_all: 0.02 },
    grid: [
      { key: 'reg_all', values: [0.01, 0.02, 0.05, 0.1, 0.2] },
      { key: 'lr_all', values: [0.002, 0.005, 0.01, 0.02] },
      { key: 'n_factors', values: [10, 20, 50, 100, 150], cost: true },
      { key: 'n_epochs', values: [10, 20, 30, 50, 80], cost: true },
    ],
  },
  {
    name: 'Surprise SVD++',
    peer: 'surprise-svdpp',
    task: 'rating',
    start: { n_factors: 20, n_epochs: 20, lr_all: 0.007, reg_all: 0.02 },
    grid: [
      { key: 'reg_all', values: [0.01, 0.02, 0.05, 0.1, 0.2] },
      { key: 'lr_all', values: [0.002, 0.005, 0.007, 0.01, 0.02] },
      { key: 'n_factors', values: [10, 20, 50, 100], cost: true },
      { key: 'n_epochs', values: [10, 20, 30], cost: true },
    ],
    gridNote:
      "SVD's grid up to 100 factors and 30 epochs: Surprise's SVD++ sums each person's implicit set for every rating, so a validation fit at 50 factors × 20 epochs takes about 40 s here and SVD's 150 × 80 would take minutes a fit",
  },
  {
    name: 'implicit ALS',
    peer: 'implicit-als',
    task: 'ranking',
    start: { factors: 100, regularization: 0.01, alpha: 1, iterations: 15, positiveThreshold: 0.5 },
    grid: [
      { key: 'regularization', values: [0.01, 0.1, 1, 10, 100] },
      { key: 'alpha', values: [1, 2, 5, 10, 20, 40] },
      { key: 'positiveThreshold', values: [0.5, 3, 3.5, 4] },
      { key: 'factors', values: [32, 64, 100, 128, 200], cost: true },
      { key: 'iterations', values: [10, 15, 20, 30], cost: true },
    ],
  },
  {
    name: 'EASE',
    peer: 'ease',
    task: 'ranking',
    // Steck's paper uses λ = 500 on ML-20M; no library default exists.
    start: { regularization: 500, positiveThreshold: 0.5 },
    grid: [
      { key: 'regularization', values: [10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
      { key: 'positiveThreshold', values: [0.5, 3, 3.5, 4] },
    ],
  },
];

/** Coordinate-descent passes, as `npm run tune` makes by default; the budget caps them. */
const PASSES = 2;
/** Within this of the best, a cheaper cost value wins (`npm run tune`'s tolerances). */
const TOLERANCE: Record<PeerTask, number> = { rating: 0.0005, ranking: 0.002 };

export interface PeerTuning {
  readonly settings: PeerSettings;
  readonly configurations: number;
  readonly budget: number;
  /** Why the grid is narrower than a sibling peer's, when it is. */
  readonly gridNote?: string;
  /** Validation RMSE (rating) or NDCG@10 (ranking) of the chosen settings. */
  readonly validation: number;
  readonly seconds: number;
}

class BudgetSpent extends Error {}

/**
 * Tunes one peer on the validation split of its task (cut from train by `npm run tune`'s own
 * `validationSplits`), with the same coordinate descent as ours, stopping at the budget. Every
 * configuration is fitted by the peer and scored by the harness's metric code. Returns the best
 * settings found, or the peer's failure.
 */
export async function tunePeer(
  spec: PeerSpec,
  validation: Split,
  options: { threads: number; seed: number; top: number; onTrial?: (line: string) => void },
): Promise<{ ok: true; tuning: PeerTuning } | { ok: false; outcome: PeerOutcome }> {
  const budget = tuningBudget(spec.task);
  const task = spec.task === 'ranking' ? rankingTask(validation.train, validation) : undefined;
  const started = performance.now();
  const tried: { settings: PeerSettings; score: number }[] = [];
  let failure: PeerOutcome | undefined;
  const score = async (settings: PeerSettings): Promise<number> => {
    if (tried.length >= budget) throw new BudgetSpent();
    const outcome = await runPeer({
      peer: spec.peer,
      task: spec.task,
      train: validation.train,
      ...(task ? { rankUsers: task.users } : { test: validation.test }),
      params: settings,
      threads: options.threads,
      seed: options.seed,
      top: options.top,
    });
    if (!outcome.ok) {
      failure = outcome;
      throw new BudgetSpent();
    }
    const value = validationScore(outcome, validation.test, task);
    tried.push({ settings, score: Number.isFinite(value) ? value : Number.NEGATIVE_INFINITY });
    options.onTrial?.(
      `${spec.name} #${tried.length}/${budget}: ${spec.task === 'rating' ? `RMSE ${(-value).toFixed(4)}` : `NDCG@10 ${value.toFixed(4)}`} ${JSON.stringify(settings)}`,
    );
    return tried[tried.length - 1].score;
  };
  let chosen: { settings: PeerSettings; score: number };
  try {
    const { best } = await coordinateDescent({
      start: spec.start,
      dimensions: spec.grid,
      score,
      passes: PASSES,
      tolerance: TOLERANCE[spec.task],
    });
    chosen = { settings: best.config, score: best.score };
  } catch (error) {
    if (!(error instanceof BudgetSpent)) throw error;
    if (failure) return { ok: false, outcome: failure };
    // The budget ran out mid-search: the best configuration tried so far.
    chosen = tried.reduce((a, b) => (b.score > a.score ? b : a));
  }
  return {
    ok: true,
    tuning: {
      settings: chosen.settings,
      configurations: tried.length,
      budget,
      ...(spec.gridNote && { gridNote: spec.gridNote }),
      validation: spec.task === 'rating' ? -chosen.score : chosen.score,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/** Higher is better: NDCG@10 for a ranking, minus RMSE for ratings. */
function validationScore(
  outcome: Extract<PeerOutcome, { ok: true }>,
  test: Ratings,
  task: ReturnType<typeof rankingTask> | undefined,
): number {
  if (task) return scoreLists(task, outcome.top ?? []).ndcg10;
  return -ratingErrors(outcome.predictions ?? new Float64Array(0), test.value).rmse;
}
