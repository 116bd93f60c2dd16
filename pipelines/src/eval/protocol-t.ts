import { RELEVANT_RATING } from '@reel/functions/contracts/limits';
import { type Ratings, topNByScores } from '@reel/functions/model';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { popularityPercentiles, RankingAccumulator, type RankingSummary } from './metrics.js';
import { rowsByUser, type Split, temporalSplit } from './splits.js';

/** Every list is this long: Recall@20 needs 20. */
export const LIST_LENGTH = 20;

/**
 * The top `count` items for `user`, best first, never one of `exclude` (the user's train
 * items, ascending item indices).
 */
export type Ranker = (user: number, exclude: Int32Array, count: number) => ArrayLike<number>;

/** Protocol T's split and what every evaluated list is scored against. */
export interface RankingTask {
  readonly split: Split;
  /** Users with at least one relevant held-out movie, ascending. */
  readonly users: Int32Array;
  /** Relevant held-out movies of each evaluated user. */
  readonly relevant: ReadonlyMap<number, ReadonlySet<number>>;
  /** Train rating rows of each user, in file order (offsets into rows). */
  readonly trainRows: ReturnType<typeof rowsByUser>;
  /** Popularity percentile of every movie in train (see popularityPercentiles). */
  readonly percentiles: Float64Array;
}

export function rankingTask(ratings: Ratings, split: Split = temporalSplit(ratings)): RankingTask {
  const { train, test } = split;
  const relevant = new Map<number, Set<number>>();
  for (let n = 0; n < test.value.length; n++) {
    if (test.value[n] < RELEVANT_RATING) continue;
    const user = test.user[n];
    let set = relevant.get(user);
    if (!set) {
      set = new Set();
      relevant.set(user, set);
    }
    set.add(test.item[n]);
  }
  const counts = new Float64Array(train.itemCount);
  for (let n = 0; n < train.value.length; n++) counts[train.item[n]]++;
  return {
    split,
    users: Int32Array.from([...relevant.keys()].sort((a, b) => a - b)),
    relevant,
    trainRows: rowsByUser(train),
    percentiles: popularityPercentiles(counts),
  };
}

/** The items `user` rated in train, ascending (what every list leaves out). */
export function trainItems(task: RankingTask, user: number): Int32Array {
  const { offsets, rows } = task.trainRows;
  const items = new Int32Array(offsets[user + 1] - offsets[user]);
  for (let p = offsets[user]; p < offsets[user + 1]; p++) {
    items[p - offsets[user]] = task.split.train.item[rows[p]];
  }
  return items.sort();
}

/** A ranker over a score per item, with the model module's top-N (ties to the lower index). */
export function scoreRanker(
  fill: (user: number, exclude: Int32Array, scores: Float64Array) => void,
  itemCount: number,
): Ranker {
  const scores = new Float64Array(itemCount);
  return (user, exclude, count) => {
    fill(user, exclude, scores);
    return topNByScores(scores, { count, exclude }).items;
  };
}

/** One list of LIST_LENGTH per evaluated user, in `task.users` order. */
export function rankAll(
  task: RankingTask,
  ranker: Ranker,
  progress: ProgressSink = silentProgress,
): ArrayLike<number>[] {
  const lists: ArrayLike<number>[] = [];
  let last = performance.now();
  task.users.forEach((user, index) => {
    lists.push(ranker(user, trainItems(task, user), LIST_LENGTH));
    if (performance.now() - last > 5000) {
      last = performance.now();
      progress(`ranking: ${index + 1}/${task.users.length} users`);
    }
  });
  return lists;
}

/** Scores one list per evaluated user (in `task.users` order) with Protocol T's metrics. */
export function scoreLists(task: RankingTask, lists: readonly ArrayLike<number>[]): RankingSummary {
  if (lists.length !== task.users.length) {
    throw new RangeError(`scoreLists: ${lists.length} lists for ${task.users.length} users`);
  }
  const accumulator = new RankingAccumulator(task.percentiles);
  task.users.forEach((user, index) => {
    accumulator.add(lists[index], task.relevant.get(user) as ReadonlySet<number>);
  });
  return accumulator.summary();
}

/** One model or baseline ranked in the same Protocol T run. */
export interface Contender {
  /** JSON key (ours: the top level; baselines: under `baselines`). */
  readonly key: string;
  /** Table label. */
  readonly label: string;
  /** Fits on the task's train split; fitSeconds covers the fit only. */
  readonly fit: (task: RankingTask) => Promise<{ rank: Ranker; fitSeconds: number }>;
}

export interface ContenderResult extends RankingSummary {
  key: string;
  label: string;
  fitSeconds: number;
}

/** Fits and ranks every contender on the same temporal split. */
export async function runProtocolT(
  task: RankingTask,
  contenders: readonly Contender[],
  progress: ProgressSink = silentProgress,
): Promise<ContenderResult[]> {
  const results: ContenderResult[] = [];
  for (const contender of contenders) {
    progress(`protocol T: fitting ${contender.label}`);
    const { rank, fitSeconds } = await contender.fit(task);
    const summary = scoreLists(task, rankAll(task, rank, progress));
    progress(`protocol T: ${contender.label} NDCG@10 ${summary.ndcg10.toFixed(4)}`);
    results.push({ key: contender.key, label: contender.label, fitSeconds, ...summary });
  }
  return results;
}
