import {
  type Executor,
  type ItemGenres,
  type ModelConfig,
  mulberry32,
  predictTrained,
} from '@reel/functions/model';
import type { LoadedRatings } from '../data/ratings-parser.js';
import { fitModelSet, servedRanker } from '../eval/contenders.js';
import { type RankingSummary, ratingErrors } from '../eval/metrics.js';
import { fitExplicit } from '../eval/models.js';
import { rankAll, rankingTask, scoreLists } from '../eval/protocol-t.js';
import { randomSplit } from '../eval/splits.js';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { type PeerName, type PeerOutcome, runPeer } from './peers.js';

/** Surprise's SVD as the system this product replaces ran it: the library's defaults. */
export const SURPRISE_SVD_PARAMS = {};
/** implicit's ALS with our ranking model's k and its own defaults otherwise, every rating as a positive. */
export const IMPLICIT_ALS_PARAMS = {
  iterations: 15,
  regularization: 0.01,
  alpha: 1,
  evidence: 'binary',
};

export interface ComparisonRow {
  name: string;
  version?: string;
  threads?: number;
  /** Protocol R (rating prediction), when the system predicts ratings. */
  rating?: { rmse: number; mae: number; fitSeconds: number };
  /** Protocol T (ranking). */
  ranking?: RankingSummary & { fitSeconds: number };
  /** Why a peer has no figures: not installable (with pip's error) or failed. */
  problem?: string;
}

/**
 * Ours and the peers on the same Protocol R split and the same Protocol T split, in one run,
 * every figure scored by the harness's metric code.
 */
export async function comparePeers(
  loaded: LoadedRatings,
  options: {
    seed: number;
    executor: Executor;
    threads: number;
    config: ModelConfig;
    /** The items' genres, for our served list's genre term. */
    genres?: ItemGenres;
    progress?: ProgressSink;
  },
): Promise<ComparisonRow[]> {
  const progress = options.progress ?? silentProgress;
  const { seed, executor, config } = options;
  const rSplit = randomSplit(loaded.ratings, 0.8, mulberry32(seed));
  const task = rankingTask(loaded.ratings);
  const common = { threads: options.threads, seed, top: 20 };

  progress('peers: ours, Protocol R');
  const explicit = await fitExplicit(rSplit.train, config.explicit, { seed, executor });
  const predicted = Float64Array.from(rSplit.test.value, (_, n) =>
    predictTrained(
      explicit.model,
      rSplit.test.user[n],
      rSplit.test.item[n],
      rSplit.test.timestamp?.[n],
    ),
  );
  progress('peers: ours, Protocol T');
  const set = await fitModelSet(task.split.train, config, {
    seed,
    executor,
    movieIds: loaded.movieIds,
    genres: options.genres,
  });
  const ours: ComparisonRow = {
    name: 'Reel (ours)',
    threads: executor.threads,
    rating: { ...ratingErrors(predicted, rSplit.test.value), fitSeconds: explicit.fitSeconds },
    ranking: {
      ...scoreLists(task, rankAll(task, servedRanker(task, set.recommender, loaded.movieIds))),
      fitSeconds: set.rankingSeconds,
    },
  };

  const rows: ComparisonRow[] = [ours];
  const surpriseR = await peer('surprise-svd', 'rating', () =>
    runPeer({
      peer: 'surprise-svd',
      task: 'rating',
      train: rSplit.train,
      test: rSplit.test,
      params: SURPRISE_SVD_PARAMS,
      ...common,
    }),
  );
  const surpriseT = await peer('surprise-svd', 'ranking', () =>
    runPeer({
      peer: 'surprise-svd',
      task: 'ranking',
      train: task.split.train,
      rankUsers: task.users,
      params: SURPRISE_SVD_PARAMS,
      ...common,
    }),
  );
  rows.push(merge('Surprise SVD', surpriseR, surpriseT));
  const implicitT = await peer('implicit-als', 'ranking', () =>
    runPeer({
      peer: 'implicit-als',
      task: 'ranking',
      train: task.split.train,
      rankUsers: task.users,
      params: { factors: config.ranking.factors, ...IMPLICIT_ALS_PARAMS },
      ...common,
    }),
  );
  rows.push(merge('implicit ALS', undefined, implicitT));
  return rows;

  async function peer(
    name: PeerName,
    what: string,
    run: () => Promise<PeerOutcome>,
  ): Promise<PeerOutcome> {
    progress(`peers: ${name}, ${what}`);
    return run();
  }

  function merge(
    name: string,
    rating: PeerOutcome | undefined,
    ranking: PeerOutcome,
  ): ComparisonRow {
    const row: ComparisonRow = { name };
    const problems: string[] = [];
    for (const outcome of [rating, ranking]) {
      if (!outcome) continue;
      if (!outcome.ok) {
        problems.push(`${outcome.status} (${outcome.task}): ${outcome.message}`);
        continue;
      }
      row.version = outcome.version;
      row.threads = outcome.threads;
      if (outcome.predictions) {
        row.rating = {
          ...ratingErrors(outcome.predictions, rSplit.test.value),
          fitSeconds: outcome.fitSeconds,
        };
      }
      if (outcome.top) {
        row.ranking = { ...scoreLists(task, outcome.top), fitSeconds: outcome.fitSeconds };
      }
    }
    if (problems.length > 0) row.problem = problems.join('\n');
    return row;
  }
}
