import { randomBytes } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import type { CloudEvent, CloudEventFunction } from '@google-cloud/functions-framework';
import type { Bucket } from '@google-cloud/storage';
import type { Firestore } from 'firebase-admin/firestore';
import { type DatasetRef, readCurrentRatings } from '../adapters/bigquery.js';
import {
  movePointer,
  readCatalogue,
  readModelManifest,
  readPointer,
  writeModelFiles,
  writeRetrainStatus,
} from '../adapters/storage.js';
import { evaluateOnHoldout, type HoldoutMetrics } from '../core/evaluate.js';
import { DEFAULT_HOLDOUT, type HoldoutOptions, holdOut } from '../core/holdout.js';
import type { Logger } from '../core/logger.js';
import { gatherRatings } from '../core/training-data.js';
import { versionName } from '../core/version.js';
import {
  createWorkerPool,
  type Executor,
  encodeModelFiles,
  type ItemGenres,
  itemGenres,
  type ModelConfig,
  type ModelSet,
  mulberry32,
  Recommender,
  serialExecutor,
  trainModelSet,
} from '../model/index.js';
import { MOVIES_FILE, type MovieList } from '../model-store/layout.js';
import { republish } from './republish.js';

/** Held-out share of all ratings above which the published model is refit on all of them. */
export const REFIT_ABOVE_HELD_OUT_SHARE = 0.01;

export interface RetrainDeps {
  bigquery: BigQuery;
  dataset: DatasetRef;
  bucket: Bucket;
  firestore: Firestore;
  modelConfig: ModelConfig;
  /** How much lower the candidate's held-out NDCG@10 may be than the current model's recorded one. */
  maxRegression: number;
  topN: number;
  log: Logger;
  /** The trainer; trainModelSet unless a test injects another. */
  train?: typeof trainModelSet;
  /** Training threads: 1 = the calling thread, more = a worker pool for this retrain. */
  threads?: number;
  holdout?: HoldoutOptions;
  /** Seed of the trainer's random initialisation. */
  seed?: number;
  now?: () => Date;
  /** Finishes "Delete my data" requests (usecases/delete-user-data.ts) before ratings are read. */
  sweepDeletions?: () => Promise<unknown>;
}

export type RetrainOutcome =
  | {
      kind: 'published';
      version: string;
      previous?: string;
      candidate: HoldoutMetrics;
      current?: RecordedMetrics;
      republished: { users: number; movies: number; failed: number; skipped: number };
    }
  | { kind: 'refused'; reason: string; candidate?: HoldoutMetrics; current?: RecordedMetrics }
  | { kind: 'failed'; stage: string; reason: string };

/** The held-out NDCG@10 the serving model's retrain recorded in its manifest. */
export interface RecordedMetrics {
  version: string;
  ndcg10: number;
}

function recordedNdcg10(manifest: unknown): number | undefined {
  const ndcg10 = (manifest as { metrics?: { ndcg10?: unknown } } | null)?.metrics?.ndcg10;
  return typeof ndcg10 === 'number' && Number.isFinite(ndcg10) ? ndcg10 : undefined;
}

/** What started a retrain (the Pub/Sub message), kept in the status record. */
export interface RetrainTrigger {
  messageId?: string;
  data?: unknown;
}

/**
 * One retrain: current ratings from BigQuery → a candidate trained without each sampled
 * user's latest ratings and scored on those (NDCG@10, RMSE) → refused if worse, by more than
 * the margin, than the score the current model's manifest records from its own retrain → the model refit on all ratings (or the
 * candidate itself, when under 1% were held out) written under a new version → pointer moved (ifGenerationMatch) → every user, movie and the
 * popularity list republished. Nothing before the pointer move changes what is served; the
 * outcome is also written to retrain/status.json. Never throws: a failed retrain is logged
 * and recorded, and the next scheduled one tries again (a redelivery would train again).
 */
export async function retrain(
  deps: RetrainDeps,
  trigger: RetrainTrigger = {},
): Promise<RetrainOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const log = deps.log;
  let stage = 'reading the pointer';
  let outcome: RetrainOutcome;
  try {
    outcome = await run();
  } catch (error) {
    const serving = stage.startsWith('republishing')
      ? 'the new model is serving; people get it with their next rating'
      : 'the current model keeps serving';
    log.error(`retrain failed while ${stage}; ${serving}`, { error });
    outcome = { kind: 'failed', stage, reason: (error as Error).message };
  }
  try {
    await writeRetrainStatus(deps.bucket, {
      ...outcome,
      trigger,
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
    });
  } catch (error) {
    log.error('could not write the retrain status', { error });
  }
  return outcome;

  async function run(): Promise<RetrainOutcome> {
    const before = await readPointer(deps.bucket);
    if (deps.sweepDeletions) {
      stage = 'sweeping deletions';
      // The view already leaves deleted people out, so a failed sweep does not stop training;
      // the next retrain sweeps again.
      await deps.sweepDeletions().catch((error: unknown) => {
        log.error('deletion sweep failed; the next retrain tries again', { error });
      });
    }
    stage = 'reading current ratings from BigQuery';
    const clock = performance.now();
    const data = await gatherRatings(readCurrentRatings(deps.bigquery, deps.dataset), (rows) =>
      log.info('reading ratings', { rows }),
    );
    const { ratings } = data;
    log.info('ratings read', {
      ratings: ratings.value.length,
      users: ratings.userCount,
      movies: ratings.itemCount,
      latencyMs: Math.round(performance.now() - clock),
    });
    if (ratings.value.length === 0) {
      return { kind: 'refused', reason: 'no ratings in BigQuery yet: load some first' };
    }
    const threads = deps.threads ?? 1;
    const executor: Executor = threads > 1 ? createWorkerPool(threads) : serialExecutor;
    try {
      return await trainAndPublish(before, data, executor);
    } finally {
      await executor.close();
    }
  }

  async function trainAndPublish(
    before: Awaited<ReturnType<typeof readPointer>>,
    data: Awaited<ReturnType<typeof gatherRatings>>,
    executor: Executor,
  ): Promise<RetrainOutcome> {
    const { ratings, itemIds, userIds } = data;
    const train = deps.train ?? trainModelSet;
    const options = (seed: number) => ({ random: mulberry32(seed), executor });
    const seed = deps.seed ?? 20261123;

    stage = 'reading the catalogue';
    const catalogue = await readCatalogue(deps.bucket);
    const genres = catalogueGenres(catalogue, itemIds);
    // The served list's genre term needs the movies' genres; without them it stays off.
    const withGenres = (set: ModelSet): ModelSet => (genres ? { ...set, genres } : set);

    stage = 'training the candidate on the evaluation split';
    const holdout = holdOut(ratings, userIds, deps.holdout ?? DEFAULT_HOLDOUT);
    const candidateSet = withGenres(
      await train(holdout.train, itemIds, deps.modelConfig, options(seed)),
    );
    stage = 'evaluating';
    const candidate = evaluateOnHoldout(new Recommender(candidateSet), holdout, ratings, itemIds);
    // The current model was trained on this slice too, so scoring it here would flatter it
    // (a perfect score on small data). It is judged by what its own retrain measured, on its
    // own held-out slice by the same rule, before it had seen those ratings.
    let current: RecordedMetrics | undefined;
    if (before) {
      const version = before.pointer.version;
      const ndcg10 = recordedNdcg10(await readModelManifest(deps.bucket, version));
      if (ndcg10 === undefined) {
        log.warn('the current model records no held-out NDCG@10: the gate is skipped', {
          modelVersion: version,
        });
      } else current = { version, ndcg10 };
    }
    log.info('evaluated on held-out ratings', { candidate, current });
    if (current && candidate.ndcg10 < current.ndcg10 - deps.maxRegression) {
      const reason = `candidate NDCG@10 ${candidate.ndcg10.toFixed(4)} is below the ${current.ndcg10.toFixed(4)} the current model ${current.version} scored when it was trained, by more than ${deps.maxRegression} (REEL_RETRAIN_MAX_REGRESSION)`;
      log.warn(`retrain refused: ${reason}; the current model keeps serving`, {
        modelVersion: current.version,
      });
      return { kind: 'refused', reason, candidate, current };
    }

    // Training twice doubles the retrain's time, which at 25M ratings would not fit a
    // function's 540 s. When the held-out slice is a sliver of the data, the candidate is the
    // model: refitting on it too would change the item side by next to nothing.
    const heldOut = ratings.value.length - holdout.train.value.length;
    let final: ModelSet = candidateSet;
    let trainedOn = holdout.train.value.length;
    if (heldOut / ratings.value.length > REFIT_ABOVE_HELD_OUT_SHARE) {
      stage = 'training on all ratings';
      const trainStarted = performance.now();
      final = withGenres(await train(ratings, itemIds, deps.modelConfig, options(seed)));
      trainedOn = ratings.value.length;
      log.info('trained on all ratings', {
        latencyMs: Math.round(performance.now() - trainStarted),
      });
    } else {
      log.info('publishing the candidate: the held-out slice is under 1% of the ratings', {
        heldOut,
      });
    }

    stage = 'writing the model files';
    const version = versionName(now(), [
      data.trainedThrough,
      ratings.value.length,
      deps.modelConfig,
      randomBytes(8).toString('hex'),
    ]);
    const files = encodeModelFiles(final, {
      version,
      createdAt: now().toISOString(),
      trainedThrough: data.trainedThrough ?? started.toISOString(),
      training: { users: ratings.userCount, ratings: trainedOn },
      metrics: {
        ndcg10: candidate.ndcg10,
        rmse: candidate.rmse,
        evaluatedUsers: candidate.users,
      },
    });
    const movies: MovieList = {
      movieIds: [...new Set([...(catalogue?.movieIds ?? []), ...itemIds])].sort((a, b) => a - b),
    };
    files.set(MOVIES_FILE, new TextEncoder().encode(JSON.stringify(movies)));
    await writeModelFiles(deps.bucket, version, files);

    stage = 'moving the pointer';
    await movePointer(
      deps.bucket,
      { version, publishedAt: now().toISOString() },
      before?.generation ?? '0',
    );
    log.notice('model published', {
      modelVersion: version,
      previousVersion: before?.pointer.version,
      ndcg10: candidate.ndcg10,
      rmse: candidate.rmse,
    });

    stage = 'republishing users, movies and the popularity list';
    const report = await republish(
      {
        firestore: deps.firestore,
        recommender: new Recommender(final),
        version,
        topN: deps.topN,
        log,
      },
      userIds,
    );
    log.info('republished', { modelVersion: version, ...report });
    return {
      kind: 'published',
      version,
      ...(before && { previous: before.pointer.version }),
      candidate,
      ...(current && { current }),
      republished: {
        users: report.users,
        movies: report.movies,
        failed: report.failed,
        skipped: report.skipped,
      },
    };
  }
}

/** The CloudEvent function on topic `retrain`: the outcome is logged and recorded. */
export function createRetrainModel(deps: RetrainDeps): CloudEventFunction<unknown> {
  return async (cloudEvent: CloudEvent<unknown>) => {
    const message = (cloudEvent.data as { message?: { data?: string } } | undefined)?.message;
    let data: unknown;
    try {
      data = message?.data
        ? JSON.parse(Buffer.from(message.data, 'base64').toString('utf8'))
        : undefined;
    } catch {
      data = undefined;
    }
    await retrain(deps, { messageId: cloudEvent.id, data });
  };
}

/** The genres of the model's items from the catalogue, if it lists them. */
function catalogueGenres(
  catalogue: MovieList | undefined,
  itemIds: Int32Array,
): ItemGenres | undefined {
  const genres = catalogue?.genres;
  if (!catalogue || !genres) return undefined;
  return itemGenres(itemIds, new Map(catalogue.movieIds.map((id, n) => [id, genres[n]])));
}
