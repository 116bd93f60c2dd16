import type { protos } from '@google-cloud/dataproc';
import type { HoldoutOptions } from '../evaluation/holdout.js';
import type { SparkBatchState } from '../usecases/ports.js';

type CreateBatchRequest = protos.google.cloud.dataproc.v1.ICreateBatchRequest;
type Batch = protos.google.cloud.dataproc.v1.IBatch;

/** What the Spark trainer is asked to train (the retrain use case's SparkTrainingRequest). */
export interface SparkJobRequest {
  version: string;
  holdout: HoldoutOptions;
  seed: number;
  /** Trigger time (RFC 3339), the manifest's createdAt. */
  requestedAt: string;
}

/** The calls of Dataproc's BatchControllerClient the trainer makes. */
export interface BatchClient {
  createBatch(request: CreateBatchRequest): Promise<unknown>;
  getBatch(request: { name: string }): Promise<[Batch, ...unknown[]]>;
}

export interface DataprocSettings {
  project: string;
  region: string;
  /** gs:// URI of pipelines/spark/train_job.py (uploaded by Terraform). */
  jobUri: string;
  /** The identity batches run as (reel-spark-batch). */
  serviceAccount: string;
  /** Serverless for Apache Spark runtime, e.g. "2.2". */
  runtimeVersion: string;
  executors: number;
  /** The models bucket: exports/{version}/ in, staging/{version}/ out. */
  bucket: string;
  /** A batch that runs longer is cancelled by Dataproc (its failure leaves the model serving). */
  ttlSeconds: number;
}

/** Exports the current ratings as Parquet files matching a gs:// URI with one `*`. */
export type RatingsExport = (uriPattern: string) => Promise<void>;

/** Where a version's export and staged files go in the models bucket. */
export function sparkPaths(version: string) {
  return {
    exportPrefix: `exports/${version}/`,
    stagingPrefix: `staging/${version}/`,
  };
}

/** The job's arguments (pipelines/spark/train_job.py --help), the same in both adapters. */
export function jobArguments(
  request: SparkJobRequest,
  uris: { ratings: string; output: string; catalogue: string },
): string[] {
  return [
    `--ratings=${uris.ratings}`,
    `--output=${uris.output}`,
    `--version=${request.version}`,
    `--catalogue=${uris.catalogue}`,
    `--holdout=${JSON.stringify(request.holdout)}`,
    `--seed=${request.seed}`,
    `--created-at=${request.requestedAt}`,
  ];
}

// Batch ids: 4-63 lowercase letters, digits and hyphens. The version is unique per retrain, so
// a redelivered submit with the same version is refused by Dataproc instead of run twice.
export function batchIdOf(version: string): string {
  const id = `reel-${version.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`
    .slice(0, 63)
    .replace(/-+$/, '');
  return id.length >= 4 ? id : `${id}-job`;
}

/** The createBatch request for one training: PySpark batch of the job over the export. */
export function batchRequest(
  settings: DataprocSettings,
  request: SparkJobRequest,
): CreateBatchRequest {
  const { exportPrefix, stagingPrefix } = sparkPaths(request.version);
  const bucket = `gs://${settings.bucket}/`;
  const batchId = batchIdOf(request.version);
  return {
    parent: `projects/${settings.project}/locations/${settings.region}`,
    batchId,
    requestId: batchId,
    batch: {
      pysparkBatch: {
        mainPythonFileUri: settings.jobUri,
        args: jobArguments(request, {
          ratings: `${bucket}${exportPrefix}`,
          output: `${bucket}${stagingPrefix}`,
          catalogue: `${bucket}catalogue/movies.json`,
        }),
      },
      runtimeConfig: {
        version: settings.runtimeVersion,
        properties: {
          'spark.executor.instances': String(settings.executors),
          'spark.dynamicAllocation.enabled': 'false',
          // ALS's lineage; see SPARK_JAVA_OPTIONS.
          'spark.driver.extraJavaOptions': '-Xss64m',
          'spark.executor.extraJavaOptions': '-Xss64m',
        },
      },
      environmentConfig: {
        executionConfig: {
          serviceAccount: settings.serviceAccount,
          ttl: { seconds: settings.ttlSeconds },
        },
      },
      labels: { app: 'reel', purpose: 'retrain' },
    },
  };
}

// Batch.State by number, for a client that returns enums as numbers.
const BATCH_STATES = [
  'STATE_UNSPECIFIED',
  'PENDING',
  'RUNNING',
  'CANCELLING',
  'CANCELLED',
  'SUCCEEDED',
  'FAILED',
];
/** gRPC's NOT_FOUND. */
const NOT_FOUND = 5;

/** A batch's Batch.State as the SparkTrainer port reports it (unknown states count as running). */
export function batchStateOf(batch: Batch): SparkBatchState {
  const state =
    typeof batch.state === 'number'
      ? (BATCH_STATES[batch.state] ?? String(batch.state))
      : String(batch.state ?? 'STATE_UNSPECIFIED');
  if (state === 'SUCCEEDED') return { phase: 'succeeded', state };
  if (state === 'FAILED' || state === 'CANCELLED') {
    return {
      phase: 'ended',
      state,
      message: batch.stateMessage || `Dataproc gives no message (${state})`,
    };
  }
  return { phase: 'running', state };
}

/**
 * The Spark trainer on Dataproc Serverless: the current ratings exported to Parquet under
 * exports/{version}/ (BigQuery EXPORT DATA, so no rating passes through the function), then a
 * PySpark batch of the job submitted; returns once Dataproc has accepted it. The job writes
 * staging/{version}/, manifest last; Cloud Storage's notification of the manifest starts the
 * publish step.
 */
export function createDataprocTrainer(
  client: BatchClient,
  exportRatings: RatingsExport,
  settings: DataprocSettings,
) {
  return {
    async submit(request: SparkJobRequest): Promise<{ batchId: string }> {
      const { exportPrefix } = sparkPaths(request.version);
      await exportRatings(`gs://${settings.bucket}/${exportPrefix}ratings-*.parquet`);
      const built = batchRequest(settings, request);
      await client.createBatch(built);
      return { batchId: built.batchId as string };
    },
    async state(batchId: string): Promise<SparkBatchState> {
      const name = `projects/${settings.project}/locations/${settings.region}/batches/${batchId}`;
      try {
        const [batch] = await client.getBatch({ name });
        return batchStateOf(batch);
      } catch (error) {
        if ((error as { code?: unknown }).code !== NOT_FOUND) throw error;
        return { phase: 'ended', state: 'NOT_FOUND', message: `Dataproc has no batch ${name}` };
      }
    },
  };
}
