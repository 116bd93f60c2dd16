import { randomBytes } from 'node:crypto';
import { evaluateOnHoldout, type HoldoutMetrics } from '../evaluation/evaluate-on-holdout.js';
import { DEFAULT_HOLDOUT, type HoldoutOptions, holdOut } from '../evaluation/holdout.js';
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
import { MOVIES_FILE, type MovieList } from '../model-store/bucket-layout.js';
import { versionName } from '../model-store/versions.js';
import type {
  Logger,
  ModelStore,
  RatingsSource,
  RetrainRecord,
  RetrainRecords,
  RetrainTrigger,
  SparkTrainer,
  SubmittedRecord,
  TrainerName,
} from './ports.js';
import {
  type PublishOutcome,
  type PublishPorts,
  type PublishSettings,
  publishStagedModel,
} from './publish.js';
import { batchInProgress, checkSparkBatch } from './spark-batch.js';
import { gatherRatings, type TrainingData } from './training-data.js';

/** Held-out share of all ratings above which the published model is refit on all of them. */
export const REFIT_ABOVE_HELD_OUT_SHARE = 0.01;

export interface RetrainPorts extends PublishPorts {
  ratings: RatingsSource;
  models: ModelStore;
  records: RetrainRecords;
  /** Absent: every retrain trains in-process. */
  spark?: SparkTrainer;
  /** Finishes "Delete my data" requests (usecases/delete-user-data.ts) before ratings are read. */
  sweepDeletions?: () => Promise<unknown>;
  log: Logger;
}

export interface RetrainSettings extends PublishSettings {
  modelConfig: ModelConfig;
  /** Above this many current ratings a retrain trains on Spark (when one is wired). */
  sparkAboveRatings: number;
  /** The trainer; trainModelSet unless a test injects another. */
  train?: typeof trainModelSet;
  /** Training threads: 1 = the calling thread, more = a worker pool for this retrain. */
  threads?: number;
  holdout?: HoldoutOptions;
  /** Seed of the trainer's random initialisation. */
  seed?: number;
}

export type RetrainOutcome =
  | PublishOutcome
  | Extract<RetrainRecord, { kind: 'submitted' }>
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; stage: string; reason: string };

const DEFAULT_SEED = 20261123;

/** The trainer a trigger message asks for (`{ "trainer": "spark" }`), if any. */
export function requestedTrainer(data: unknown): TrainerName | undefined {
  const trainer = (data as { trainer?: unknown } | null | undefined)?.trainer;
  if (trainer === undefined) return undefined;
  if (trainer === 'in-process' || trainer === 'spark') return trainer;
  throw new Error(
    `the retrain message asks for trainer ${JSON.stringify(trainer)}: use "in-process" or "spark"`,
  );
}

/**
 * The trainer for this retrain: the message's flag if it has one, else Spark above the
 * configured size when a Spark trainer is wired, else in-process. `countRatings` is asked
 * only when the size decides.
 */
export async function chooseTrainer(
  requested: TrainerName | undefined,
  sparkWired: boolean,
  sparkAboveRatings: number,
  countRatings: () => Promise<number>,
): Promise<TrainerName> {
  if (requested === 'spark' && !sparkWired) {
    throw new Error('the retrain message asks for the Spark trainer, but none is configured');
  }
  if (requested) return requested;
  if (!sparkWired) return 'in-process';
  return (await countRatings()) > sparkAboveRatings ? 'spark' : 'in-process';
}

/**
 * One retrain. In-process: current ratings → a candidate trained without each sampled user's
 * latest ratings and scored on those (NDCG@10, RMSE) → the model refit on all ratings (or the
 * candidate itself, when under 1% were held out) written under `staging/{version}/` with the
 * candidate's metrics in its manifest → the publish step (gate, pointer, republish). Spark: the
 * job is submitted, recorded, and this returns at once; the publish step runs when its files
 * are staged. Nothing before the pointer move changes what is served. While a Spark batch is
 * still in progress no retrain starts (it is refused, and the batch stays in the record), so
 * two retrains never publish over each other; one that ended without staging a model is
 * recorded as failed first, and the retrain goes on. Never throws: a failed retrain is logged
 * and recorded, and the next scheduled one tries again.
 */
export async function retrain(
  ports: RetrainPorts,
  settings: RetrainSettings,
  trigger: RetrainTrigger = {},
): Promise<RetrainOutcome> {
  const now = settings.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { log } = ports;
  let stage = 'choosing the trainer';
  let trainer: TrainerName | undefined;
  let pending: SubmittedRecord | undefined;
  let outcome: RetrainOutcome;
  try {
    outcome = await run();
  } catch (error) {
    log.error(`retrain failed while ${stage}; the current model keeps serving`, { error });
    outcome = { kind: 'failed', stage, reason: (error as Error).message };
  }
  if (outcome.kind === 'submitted' || !('version' in outcome && outcome.version)) {
    // The publish step wrote its own record; everything else is recorded here.
    try {
      await ports.records.write({
        ...outcome,
        ...(trainer && { trainer }),
        ...(pending && { pending }),
        trigger,
        startedAt,
        ...(outcome.kind !== 'submitted' && { finishedAt: now().toISOString() }),
      });
    } catch (error) {
      log.error('could not write the retrain record', { error });
    }
  }
  return outcome;

  async function run(): Promise<RetrainOutcome> {
    if (ports.spark) {
      stage = 'checking the Spark batch in progress';
      // Until the engine answers, the batch stays in whatever this retrain records.
      pending = batchInProgress(await ports.records.read());
      const check = await checkSparkBatch(ports, settings);
      if (check.kind === 'running' || check.kind === 'succeeded') {
        const { version, batchId } = check.batch;
        return {
          kind: 'refused',
          reason: `${version} is still training on Spark (batch ${batchId} is ${check.state}); a retrain starts once it has published or failed`,
        };
      }
      pending = undefined;
    }
    if (ports.sweepDeletions) {
      stage = 'sweeping deletions';
      // The view already leaves deleted people out, so a failed sweep does not stop training;
      // the next retrain sweeps again.
      await ports.sweepDeletions().catch((error: unknown) => {
        log.error('deletion sweep failed; the next retrain tries again', { error });
      });
      stage = 'choosing the trainer';
    }
    trainer = await chooseTrainer(
      requestedTrainer(trigger.data),
      ports.spark !== undefined,
      settings.sparkAboveRatings,
      () => ports.ratings.countRatings(),
    );
    if (trainer === 'spark') return submitToSpark(ports.spark!);
    stage = 'reading current ratings from BigQuery';
    const clock = performance.now();
    const data = await gatherRatings(ports.ratings.readRatings(), (rows) =>
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
    const threads = settings.threads ?? 1;
    const executor: Executor = threads > 1 ? createWorkerPool(threads) : serialExecutor;
    let version: string;
    try {
      version = await trainAndStage(data, executor);
    } finally {
      await executor.close();
    }
    return publishStagedModel(ports, version, settings, { trigger, startedAt, trainer });
  }

  async function submitToSpark(spark: SparkTrainer): Promise<RetrainOutcome> {
    stage = 'submitting the Spark job';
    const version = versionName(now(), [settings.modelConfig, randomBytes(8).toString('hex')]);
    const { batchId } = await spark.submit({
      version,
      modelConfig: settings.modelConfig,
      holdout: settings.holdout ?? DEFAULT_HOLDOUT,
      seed: settings.seed ?? DEFAULT_SEED,
      requestedAt: now().toISOString(),
    });
    log.notice('Spark training submitted', { modelVersion: version, batchId });
    return { kind: 'submitted', version, batchId };
  }

  /** Trains, evaluates and writes the model under staging/; returns its version. */
  async function trainAndStage(data: TrainingData, executor: Executor): Promise<string> {
    const { ratings, itemIds, userIds } = data;
    const train = settings.train ?? trainModelSet;
    const options = (seed: number) => ({ random: mulberry32(seed), executor });
    const seed = settings.seed ?? DEFAULT_SEED;

    stage = 'reading the catalogue';
    const catalogue = await ports.models.readCatalogue();
    const genres = catalogueGenres(catalogue, itemIds);
    // The served list's genre term needs the movies' genres; without them it stays off.
    const withGenres = (set: ModelSet): ModelSet => (genres ? { ...set, genres } : set);

    stage = 'training the candidate on the evaluation split';
    const holdout = holdOut(ratings, userIds, settings.holdout ?? DEFAULT_HOLDOUT);
    const candidateSet = withGenres(
      await train(holdout.train, itemIds, settings.modelConfig, options(seed)),
    );
    stage = 'evaluating';
    const candidate: HoldoutMetrics = evaluateOnHoldout(
      new Recommender(candidateSet),
      holdout,
      ratings,
      itemIds,
    );
    log.info('candidate evaluated on held-out ratings', { candidate });

    // Training twice doubles the retrain's time, which at 25M ratings would not fit a
    // function's 540 s. When the held-out slice is a sliver of the data, the candidate is the
    // model: refitting on it too would change the item side by next to nothing.
    const heldOut = ratings.value.length - holdout.train.value.length;
    let final: ModelSet = candidateSet;
    let trainedOn = holdout.train.value.length;
    if (heldOut / ratings.value.length > REFIT_ABOVE_HELD_OUT_SHARE) {
      stage = 'training on all ratings';
      const trainStarted = performance.now();
      final = withGenres(await train(ratings, itemIds, settings.modelConfig, options(seed)));
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
      settings.modelConfig,
      randomBytes(8).toString('hex'),
    ]);
    const files = encodeModelFiles(final, {
      version,
      createdAt: now().toISOString(),
      trainedThrough: data.trainedThrough ?? startedAt,
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
    // Cloud Storage notifies model-staged of these files too; the record tells that publish
    // step this version is this retrain's to publish.
    await ports.records.write({
      kind: 'training',
      version,
      trainer: 'in-process',
      trigger,
      startedAt,
    });
    await ports.models.writeStagedFiles(version, files);
    return version;
  }
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
