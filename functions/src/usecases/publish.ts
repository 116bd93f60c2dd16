import { decodeModelFiles } from '../model/index.js';
import { pointerSerial } from '../model-store/bucket-layout.js';
import type {
  CandidateMetrics,
  Logger,
  ModelStore,
  RecordedMetrics,
  RepublishStarter,
  RetrainRecord,
  RetrainRecords,
} from './ports.js';
import { type PruneOutcome, pruneVersions, type RunningRepublishes } from './prune.js';

export interface PublishPorts {
  models: ModelStore;
  records: RetrainRecords;
  republish: RepublishStarter;
  /** The versions running republishes read (pruning keeps them). */
  running: RunningRepublishes;
  log: Logger;
}

export interface PublishSettings {
  /** How much lower the candidate's held-out NDCG@10 may be than the current model's recorded one. */
  maxRegression: number;
  /** Published versions older than the serving one that pruning keeps for rollback. */
  rollbackTargets: number;
  now?: () => Date;
}

/** What the retrain that staged the version knew, carried into the record. */
export type PublishContext = Pick<RetrainRecord, 'trigger' | 'startedAt' | 'trainer'>;

export type PublishOutcome = Extract<RetrainRecord, { kind: 'published' | 'refused' | 'failed' }>;

function recordedNdcg10(manifest: unknown): number | undefined {
  const ndcg10 = (manifest as { metrics?: { ndcg10?: unknown } } | null)?.metrics?.ndcg10;
  return typeof ndcg10 === 'number' && Number.isFinite(ndcg10) ? ndcg10 : undefined;
}

/**
 * The one publish step of both trainers, for a version whose files a trainer wrote under
 * `staging/{version}/`: the files are checked (manifest, every file's length and sha256), the
 * candidate's held-out NDCG@10 (from its manifest) is compared with what the serving model's
 * retrain recorded, the files are copied to `models/{version}/`, the pointer is moved
 * conditionally on the generation read before the gate (so of two publishes racing, the
 * second fails with "the pointer moved" and changes nothing: nobody publishes a model that
 * was gated against another one than the one it replaces), and the republish is started.
 * Old versions are pruned last. Never throws: the outcome is written to the retrain record
 * (merged with what the trainer recorded for this version) and returned; before the pointer
 * moves, a failure leaves the current model serving.
 */
export async function publishStagedModel(
  ports: PublishPorts,
  version: string,
  settings: PublishSettings,
  context: PublishContext = {},
): Promise<PublishOutcome> {
  const now = settings.now ?? (() => new Date());
  const { models, log } = ports;
  let stage = 'reading the pointer';
  let outcome: PublishOutcome;
  try {
    outcome = await run();
  } catch (error) {
    const serving =
      stage === 'starting the republish' || stage === 'pruning old versions'
        ? 'the new model is serving; people get it with their next rating'
        : 'the current model keeps serving';
    log.error(`publishing ${version} failed while ${stage}; ${serving}`, { error });
    outcome = { kind: 'failed', version, stage, reason: (error as Error).message };
  }
  try {
    const previous = await ports.records.read();
    // The retrain that staged this version, or the Spark batch a later refusal kept pending.
    const staging = previous?.version === version ? previous : previous?.pending;
    const carried: PublishContext =
      staging?.version === version
        ? { trigger: staging.trigger, startedAt: staging.startedAt, trainer: staging.trainer }
        : {};
    const record: RetrainRecord = {
      ...carried,
      ...context,
      ...outcome,
      finishedAt: now().toISOString(),
    };
    await ports.records.write(record);
  } catch (error) {
    log.error('could not write the retrain record', { error });
  }
  return outcome;

  async function run(): Promise<PublishOutcome> {
    const before = await models.readPointer();
    stage = 'checking the staged files';
    const { manifest } = decodeModelFiles(await models.readStagedFiles(version));
    if (manifest.version !== version) {
      throw new Error(`staging/${version}/manifest.json names version ${manifest.version}`);
    }
    const ndcg10 = recordedNdcg10(manifest);
    if (ndcg10 === undefined) {
      throw new Error(`staging/${version}/manifest.json records no held-out metrics.ndcg10`);
    }
    const candidate: CandidateMetrics = {
      ndcg10,
      ...(manifest.metrics.rmse !== undefined && { rmse: manifest.metrics.rmse }),
      ...(manifest.metrics.evaluatedUsers !== undefined && {
        users: manifest.metrics.evaluatedUsers,
      }),
    };

    stage = 'applying the quality gate';
    // The current model is judged by what its own retrain measured, on its own held-out
    // slice by the same rule, before it had seen those ratings.
    let current: RecordedMetrics | undefined;
    if (before) {
      const currentVersion = before.pointer.version;
      const recorded = recordedNdcg10(await models.readManifest(currentVersion));
      if (recorded === undefined) {
        log.warn('the current model records no held-out NDCG@10: the gate is skipped', {
          modelVersion: currentVersion,
        });
      } else current = { version: currentVersion, ndcg10: recorded };
    }
    log.info('evaluated on held-out ratings', { candidate, current });
    if (current && candidate.ndcg10 < current.ndcg10 - settings.maxRegression) {
      const reason = `candidate NDCG@10 ${candidate.ndcg10.toFixed(4)} is below the ${current.ndcg10.toFixed(4)} the current model ${current.version} scored when it was trained, by more than ${settings.maxRegression} (REEL_RETRAIN_MAX_REGRESSION)`;
      log.warn(`retrain refused: ${reason}; the current model keeps serving`, {
        modelVersion: current.version,
      });
      return { kind: 'refused', version, reason, candidate, current };
    }

    stage = 'publishing the files';
    await models.promoteStaged(version);

    stage = 'moving the pointer';
    const serial = pointerSerial(before?.pointer) + 1;
    await models.movePointer(
      { version, publishedAt: now().toISOString(), serial },
      before?.generation ?? '0',
    );
    log.notice('model published', {
      modelVersion: version,
      previousVersion: before?.pointer.version,
      serial,
      ndcg10: candidate.ndcg10,
    });
    await models.deleteStaged(version);

    stage = 'starting the republish';
    const republish = await ports.republish.start({ version, serial });

    stage = 'pruning old versions';
    const pruned: PruneOutcome = await pruneVersions(
      { models, running: ports.running, log },
      { rollbackTargets: settings.rollbackTargets, now },
    );
    return {
      kind: 'published',
      version,
      ...(before && { previous: before.pointer.version }),
      candidate,
      ...(current && { current }),
      republish,
      ...(pruned.deleted.length > 0 && { pruned: pruned.deleted }),
    };
  }
}
