/**
 * The small interfaces the use cases (retrain, publish, republish, rollback, prune) work over.
 * The adapters implement them over the official clients (see adapters/ports.ts); the unit
 * tests implement them in memory (usecases/testing.ts).
 */
import type { RatingsBatch } from '../adapters/bigquery.js';
import type {
  MovieDocument,
  PopularDocument,
  RecommendationsDocument,
} from '../contracts/firestore-documents.js';
import type { HoldoutMetrics } from '../evaluation/evaluate-on-holdout.js';
import type { HoldoutOptions } from '../evaluation/holdout.js';
import type { Logger } from '../logging/logger.js';
import type { ModelConfig, Recommender } from '../model/index.js';
import type { ModelPointer, MovieList } from '../model-store/bucket-layout.js';
import type { UserRatings } from '../ratings/user-ratings.js';

export type { Logger };

/** A model's files by name ("manifest.json", "ranking-item-factors.f32", ...). */
export type ModelFiles = Map<string, Uint8Array>;

/** The serving pointer and the generation it was read at, for a conditional move. */
export interface PointerState {
  pointer: ModelPointer;
  generation: string;
}

/** The current ratings (BigQuery's current_ratings view). */
export interface RatingsSource {
  /** How many current ratings there are (to choose the trainer before reading them). */
  countRatings(): Promise<number>;
  readRatings(): AsyncIterable<RatingsBatch>;
}

/**
 * The models bucket: staged versions (`staging/{version}/`, written by a trainer, not yet
 * checked), published versions (`models/{version}/`, immutable) and the serving pointer.
 */
export interface ModelStore {
  readPointer(): Promise<PointerState | undefined>;
  /**
   * Moves the pointer if it is still at `expectedGeneration` ("0" = must not exist yet), else
   * throws PointerMovedError and changes nothing. Returns the new generation.
   */
  movePointer(pointer: ModelPointer, expectedGeneration: string): Promise<string>;
  writeStagedFiles(version: string, files: ModelFiles): Promise<void>;
  readStagedFiles(version: string): Promise<ModelFiles>;
  /** Copies a staged version's files to `models/{version}/` (each write if-absent). */
  promoteStaged(version: string): Promise<void>;
  readModelFiles(version: string): Promise<ModelFiles>;
  /** A published version's manifest.json as JSON. */
  readManifest(version: string): Promise<unknown>;
  /** Published versions, sorted by name (= by time). */
  listVersions(): Promise<string[]>;
  listStagedVersions(): Promise<string[]>;
  deleteVersion(version: string): Promise<void>;
  deleteStaged(version: string): Promise<void>;
  readCatalogue(): Promise<MovieList | undefined>;
}

/** What a retrain did, kept where `npm run retrain` and people read it (retrain/status.json). */
export type RetrainRecord = {
  /** The model version this retrain trained (absent if it stopped before choosing one). */
  version?: string;
  trainer?: TrainerName;
  trigger?: RetrainTrigger;
  startedAt?: string;
  finishedAt?: string;
  /** A Spark batch still in progress when this retrain was refused for it. */
  pending?: SubmittedRecord;
} & (
  | { kind: 'training' }
  | { kind: 'submitted'; batchId: string }
  | {
      kind: 'published';
      version: string;
      previous?: string;
      candidate: CandidateMetrics;
      current?: RecordedMetrics;
      republish: RepublishStart;
      pruned?: string[];
    }
  | { kind: 'refused'; reason: string; candidate?: CandidateMetrics; current?: RecordedMetrics }
  | { kind: 'failed'; stage: string; reason: string }
);

/** The record of a retrain whose Spark batch is submitted and has not staged its outcome. */
export type SubmittedRecord = Extract<RetrainRecord, { kind: 'submitted' }> & { version: string };

export interface RetrainRecords {
  read(): Promise<RetrainRecord | undefined>;
  write(record: RetrainRecord): Promise<void>;
}

/** What started a retrain (the Pub/Sub message), kept in the record. */
export interface RetrainTrigger {
  messageId?: string;
  data?: unknown;
}

export type TrainerName = 'in-process' | 'spark';

/** The candidate's held-out metrics as its manifest records them. */
export type CandidateMetrics = Pick<HoldoutMetrics, 'ndcg10'> & Partial<HoldoutMetrics>;

/** The held-out NDCG@10 the serving model's retrain recorded in its manifest. */
export interface RecordedMetrics {
  version: string;
  ndcg10: number;
}

/** What a Spark training job needs; it writes the model files under `staging/{version}/`. */
export interface SparkTrainingRequest {
  version: string;
  modelConfig: ModelConfig;
  holdout: HoldoutOptions;
  seed: number;
  /** Trigger time (RFC 3339), the manifest's createdAt. */
  requestedAt: string;
}

/**
 * A submitted batch as its engine reports it (Dataproc's Batch.State; locally, spark-submit's
 * exit). `state` is the engine's name for it, `message` its explanation.
 */
export type SparkBatchState =
  /** PENDING, RUNNING or CANCELLING: it may still stage its files. */
  | { phase: 'running'; state: string }
  /** SUCCEEDED: its files are staged, and their notification runs the publish step. */
  | { phase: 'succeeded'; state: string }
  /** FAILED, CANCELLED or unknown to the engine: it will stage no manifest. */
  | { phase: 'ended'; state: string; message: string };

/**
 * Runs training elsewhere (Dataproc Serverless in the cloud, spark-submit locally) and returns
 * once the job is submitted; when its files are staged, the publish step is called for
 * `version` (publishStagedModel). A batch that dies without staging anything is found by
 * asking its state.
 */
export interface SparkTrainer {
  submit(request: SparkTrainingRequest): Promise<{ batchId: string }>;
  state(batchId: string): Promise<SparkBatchState>;
}

/** A republish of the serving model, numbered by the pointer move that asked for it. */
export interface RepublishRequest {
  version: string;
  /** The pointer's serial after the move: a later move has a larger one. */
  serial: number;
}

/** What starting a republish did (shards are counted as they are published). */
export interface RepublishStart {
  serial: number;
  shards: number;
  users: number;
}

/** Starts the republish of every user, movie and the popularity list from `version`. */
export interface RepublishStarter {
  start(request: RepublishRequest): Promise<RepublishStart>;
}

/** One message on topic `republish`: a slice of the work of republish `serial`. */
export type RepublishShard = {
  version: string;
  serial: number;
  /** 0-based; shards are numbered as they are published. */
  shard: number;
} & (
  | { kind: 'users'; uids: string[] }
  /** Model rows [from, to) of `movies/{movieId}`. */
  | { kind: 'movies'; from: number; to: number }
  | { kind: 'popular' }
);

/** Everyone a republish writes for (everyone who ever rated), in pages of any size. */
export interface UserDirectory {
  listUserIds(): AsyncIterable<string[]>;
}

/** Topic `republish`. */
export interface ShardQueue {
  publish(shards: readonly RepublishShard[]): Promise<void>;
}

/** A version's model, ready to fold in and rank (decoded once per instance). */
export interface ModelLoader {
  load(version: string): Promise<Recommender>;
}

/** A person as a republish reads them. */
export interface StoredUser {
  uid: string;
  /** Undefined: no `users/{uid}` document (never rated, or deleted): nothing to write. */
  ratings: UserRatings | undefined;
  /** The serial of the republish (or fold-in) that last wrote their model fields; 0 = none. */
  serial: number;
  modelVersion?: string;
  /** The adapter's token for "unchanged since read" (update times). */
  readAt: unknown;
}

export interface UserModelWrite {
  factors: number[];
  bias: number;
  modelVersion: string;
  serial: number;
  recommendations: RecommendationsDocument;
}

/**
 * The documents a republish writes. Every write is conditional: a person's user and
 * recommendations documents together, only if neither changed since `readUsers` (else
 * `changed`: read again); a movie or the popularity list only if no later serial wrote it.
 */
export interface ServedDocuments {
  readUsers(uids: readonly string[]): Promise<StoredUser[]>;
  writeUser(user: StoredUser, write: UserModelWrite): Promise<'written' | 'changed'>;
  writeMovies(
    movies: readonly { movieId: number; document: MovieDocument }[],
    serial: number,
  ): Promise<{ written: number; newer: number }>;
  writePopular(document: PopularDocument, serial: number): Promise<'written' | 'newer'>;
}

/** What one shard did. */
export interface ShardCounts {
  /** People (or movies, or the popularity list) written. */
  written: number;
  /** Already on this republish (a redelivery) or on a later one. */
  skipped: number;
  /** People with no `users/{uid}` document. */
  missing: number;
  failed: number;
}

/** A republish's progress as the model's record keeps it. */
export interface RepublishState {
  version: string;
  serial: number;
  startedAt: string;
  /** Known once every shard is published. */
  shards?: number;
  users?: number;
  shardsDone: number;
  /** Shards found superseded by a later republish (done, nothing written). */
  superseded: number;
  written: number;
  skipped: number;
  missing: number;
  failed: number;
  running: boolean;
  finishedAt?: string;
}

/**
 * Progress on the model's record (Firestore `models/{version}`). `shardDone` counts a shard
 * once however often it is delivered.
 */
export interface RepublishProgress {
  begin(request: RepublishRequest, startedAt: string): Promise<void>;
  planned(request: RepublishRequest, totals: { shards: number; users: number }): Promise<void>;
  shardDone(
    shard: Pick<RepublishShard, 'version' | 'serial' | 'shard' | 'kind'>,
    counts: ShardCounts & { superseded: boolean; seconds?: number },
    at: string,
  ): Promise<'counted' | 'already counted'>;
  read(version: string): Promise<RepublishState | undefined>;
  /** Versions of republishes not finished (pruning keeps them). */
  runningVersions(): Promise<string[]>;
}
