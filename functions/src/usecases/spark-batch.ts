import type { RetrainRecord, SparkTrainer, SubmittedRecord } from './ports.js';
import type { PublishOutcome, PublishPorts, PublishSettings } from './publish.js';

export interface SparkBatchPorts extends PublishPorts {
  /** Absent: no retrain trains on Spark, so none is ever in progress. */
  spark?: SparkTrainer;
}

/** What asking for the Spark batch in progress found (and, for `failed`, recorded). */
export type SparkBatchCheck =
  | { kind: 'none' }
  | { kind: 'running' | 'succeeded'; batch: SubmittedRecord; state: string }
  | { kind: 'failed'; batch: SubmittedRecord; reason: string };

const SPARK_STAGE = 'training on Spark';

/** The Spark batch a record says is in progress: its own, or the one a refusal kept. */
export function batchInProgress(record: RetrainRecord | undefined): SubmittedRecord | undefined {
  if (record?.kind !== 'submitted') return record?.pending;
  const { version } = record;
  return version === undefined ? undefined : { ...record, version };
}

/** Whether a retrain message asks only for the Spark batch in progress to be checked. */
export function isSparkCheck(data: unknown): boolean {
  return (data as { check?: unknown } | null | undefined)?.check === 'spark';
}

/**
 * Asks the engine where the Spark batch the retrain record names is. A batch that ended without
 * staging a model (killed, cancelled, past its TTL, unknown to the engine) can write no
 * failed.json, so its notification never comes: it is recorded as failed here, with the
 * engine's reason (and the job's own, if it staged one), and the current model keeps serving.
 * Runs before every retrain and on a `{ "check": "spark" }` message (Cloud Scheduler's
 * periodic check; `npm run retrain` while it waits).
 */
export async function checkSparkBatch(
  ports: SparkBatchPorts,
  settings: PublishSettings,
): Promise<SparkBatchCheck> {
  const batch = batchInProgress(await ports.records.read());
  if (!batch || !ports.spark) return { kind: 'none' };
  const state = await ports.spark.state(batch.batchId);
  if (state.phase !== 'ended') return { kind: state.phase, batch, state: state.state };
  const own = await stagedFailure(ports, batch.version);
  const reason =
    `Spark batch ${batch.batchId} ended ${state.state} without staging a model: ${state.message}` +
    (own ? `; the job's failed.json says: ${own}` : '');
  await recordSparkFailure(ports, settings, batch.version, reason, batch);
  return { kind: 'failed', batch, reason };
}

/**
 * Records that the Spark training of `version` failed (keeping what its retrain recorded when
 * it submitted the batch) and deletes what it staged; the pointer is not touched.
 */
export async function recordSparkFailure(
  ports: PublishPorts,
  settings: PublishSettings,
  version: string,
  reason: string,
  submitted: SubmittedRecord | undefined,
): Promise<PublishOutcome> {
  ports.log.error(`Spark training of ${version} failed; the current model keeps serving`, {
    modelVersion: version,
    reason,
  });
  const now = settings.now ?? (() => new Date());
  const outcome: PublishOutcome = { kind: 'failed', version, stage: SPARK_STAGE, reason };
  await ports.records.write({
    ...(submitted?.version === version && {
      trigger: submitted.trigger,
      startedAt: submitted.startedAt,
    }),
    trainer: 'spark',
    ...outcome,
    finishedAt: now().toISOString(),
  });
  await ports.models.deleteStaged(version);
  return outcome;
}

/** The reason in a version's staged failed.json, if the job wrote one. */
export async function stagedFailure(
  ports: PublishPorts,
  version: string,
): Promise<string | undefined> {
  try {
    if (!(await ports.models.listStagedVersions()).includes(version)) return undefined;
    const failed = (await ports.models.readStagedFiles(version)).get('failed.json');
    if (!failed) return undefined;
    const parsed = JSON.parse(new TextDecoder().decode(failed)) as { reason?: unknown };
    return typeof parsed.reason === 'string'
      ? parsed.reason
      : 'the job reported a failure without a reason';
  } catch (error) {
    return `failed.json could not be read: ${(error as Error).message}`;
  }
}
