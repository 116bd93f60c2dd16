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
import { LIST_LENGTH, rankAll, rankingTask, scoreLists } from '../eval/protocol-t.js';
import { randomSplit } from '../eval/splits.js';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { validationSplits } from '../tune/objectives.js';
import { type PeerOutcome, runPeer } from './peers.js';
import { PEERS, type PeerSpec, type PeerTuning, tunePeer, tuningBudget } from './tune-peers.js';

/** One fit on a protocol's train split, timed around the fit call only. */
export interface FitTiming {
  readonly fitSeconds: number;
  /** Epochs or ALS sweeps; 1 for a closed form. */
  readonly iterations: number;
  readonly secondsPerIteration: number;
}

/** A system's figures on the test splits, every one scored by the harness's metric code. */
export interface ComparisonRow {
  readonly name: string;
  readonly version?: string;
  readonly threads?: number;
  /** What the system is for (its headline task, and what it was tuned on). */
  readonly task: 'rating' | 'ranking' | 'both';
  readonly settings: Record<string, unknown>;
  readonly tuning?: PeerTuning;
  /** Protocol R (rating prediction), when the system predicts ratings. */
  readonly rating?: { rmse: number; mae: number } & FitTiming;
  /** Protocol T (ranking). */
  readonly ranking?: RankingSummary & FitTiming;
  /** Why a peer has no figures (not installable, or failed, with the reason). */
  readonly problem?: string;
}

/**
 * Ours and each peer on the same Protocol R split and the same Protocol T split, in one run.
 * Each peer is first tuned with our tuning budget on `npm run tune`'s validation splits (cut
 * from the protocols' train splits), then fitted once on the protocol's train split with the
 * settings it chose; ours is fitted the same way with the defaults `npm run tune` chose. Our
 * rating predictions use the (user, movie) pair only, never the test rating's time.
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
    /** Which peers to run (default all). */
    peers?: readonly PeerSpec[];
  },
): Promise<ComparisonRow[]> {
  const progress = options.progress ?? silentProgress;
  const { seed, executor, config } = options;
  const rSplit = randomSplit(loaded.ratings, 0.8, mulberry32(seed));
  const task = rankingTask(loaded.ratings);
  const validation = validationSplits(loaded.ratings, seed);
  const common = { threads: options.threads, seed, top: LIST_LENGTH };

  progress('peers: ours, Protocol R');
  const explicit = await fitExplicit(rSplit.train, config.explicit, { seed, executor });
  const predicted = Float64Array.from(rSplit.test.value, (_, n) =>
    predictTrained(explicit.model, rSplit.test.user[n], rSplit.test.item[n]),
  );
  progress('peers: ours, Protocol T');
  const set = await fitModelSet(task.split.train, config, {
    seed,
    executor,
    movieIds: loaded.movieIds,
    genres: options.genres,
  });
  const rows: ComparisonRow[] = [
    {
      name: 'Reel (ours)',
      threads: executor.threads,
      task: 'both',
      settings: { explicit: config.explicit, ranking: config.ranking, genres: config.genres },
      rating: {
        ...ratingErrors(predicted, rSplit.test.value),
        ...timing(explicit.fitSeconds, config.explicit.iterations),
      },
      ranking: {
        ...scoreLists(task, rankAll(task, servedRanker(task, set.recommender, loaded.movieIds))),
        ...timing(set.rankingSeconds, config.ranking.iterations),
      },
    },
  ];

  for (const spec of options.peers ?? PEERS) {
    const budget = tuningBudget(spec.task);
    progress(
      `peers: tuning ${spec.name} on the validation split (at most ${budget} configurations)`,
    );
    const tuned = await tunePeer(
      spec,
      spec.task === 'rating' ? validation.rating : validation.ranking,
      {
        ...common,
        onTrial: (line) => progress(`peers: ${line}`),
      },
    );
    if (!tuned.ok) {
      rows.push(failed(spec, tuned.outcome));
      continue;
    }
    const { settings } = tuned.tuning;
    const outcomes: PeerOutcome[] = [];
    if (spec.task === 'rating') {
      progress(`peers: ${spec.name}, Protocol R`);
      outcomes.push(
        await runPeer({
          peer: spec.peer,
          task: 'rating',
          train: rSplit.train,
          test: rSplit.test,
          params: settings,
          ...common,
        }),
      );
    }
    progress(`peers: ${spec.name}, Protocol T`);
    outcomes.push(
      await runPeer({
        peer: spec.peer,
        task: 'ranking',
        train: task.split.train,
        rankUsers: task.users,
        params: settings,
        ...common,
      }),
    );
    const problem = outcomes.find((outcome) => !outcome.ok);
    if (problem) {
      rows.push(failed(spec, problem));
      continue;
    }
    let row: ComparisonRow = { name: spec.name, task: spec.task, settings, tuning: tuned.tuning };
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const fit = timing(outcome.fitSeconds, outcome.iterations);
      row = { ...row, version: outcome.version, threads: outcome.threads };
      if (outcome.predictions) {
        row = {
          ...row,
          rating: { ...ratingErrors(outcome.predictions, rSplit.test.value), ...fit },
        };
      }
      if (outcome.top) row = { ...row, ranking: { ...scoreLists(task, outcome.top), ...fit } };
    }
    rows.push(row);
  }
  return rows;
}

function timing(fitSeconds: number, iterations: number): FitTiming {
  return { fitSeconds, iterations, secondsPerIteration: fitSeconds / iterations };
}

function failed(spec: PeerSpec, outcome: PeerOutcome): ComparisonRow {
  const message = outcome.ok
    ? 'no figures'
    : `${outcome.status} (${outcome.task}): ${outcome.message}`;
  return { name: spec.name, task: spec.task, settings: {}, problem: message };
}

/** The peers that have no figures, with the reason each gives. */
export function peerProblems(rows: readonly ComparisonRow[]): string[] {
  return rows.filter((row) => row.problem).map((row) => `${row.name}: ${row.problem}`);
}

/**
 * The JSON the bench prints: ours and each peer side by side, with the headline fields at the
 * top (a rating model's fit time is its Protocol R fit, a ranking model's its Protocol T fit;
 * ours: the ranking model, the list a person sees) and both fits under `rating` and `ranking`.
 */
export function comparisonJson(rows: readonly ComparisonRow[]) {
  const entry = (row: ComparisonRow) => {
    const headline = row.task === 'rating' ? row.rating : row.ranking;
    return {
      name: row.name,
      version: row.version ?? null,
      task: row.task,
      settings: row.settings,
      rmse: row.rating?.rmse ?? null,
      mae: row.rating?.mae ?? null,
      ndcg10: row.ranking?.ndcg10 ?? null,
      recall20: row.ranking?.recall20 ?? null,
      coverage10: row.ranking?.coverage10 ?? null,
      fitSeconds: headline?.fitSeconds ?? null,
      secondsPerIteration: headline?.secondsPerIteration ?? null,
      threads: row.threads ?? null,
      ...(row.tuning && { tuning: row.tuning }),
      ...(row.rating && { rating: row.rating }),
      ...(row.ranking && { ranking: row.ranking }),
    };
  };
  const [ours, ...peers] = rows;
  return { ours: entry(ours), peers: peers.map(entry) };
}
