import type { StagedEvent } from '../messages/staged-notification.js';
import {
  type PublishOutcome,
  type PublishPorts,
  type PublishSettings,
  publishStagedModel,
} from './publish.js';
import { batchInProgress, recordSparkFailure, stagedFailure } from './spark-batch.js';

export type StagedOutcome = PublishOutcome | { kind: 'ignored'; reason: string };

/**
 * What a trainer's staged object means (the Spark job's, notified by Cloud Storage): a version's
 * manifest.json runs the publish step for it, its failed.json records the failure with the
 * job's reason (the current model keeps serving). A version the record already finished is
 * not handled again: a redelivered notification must not turn "published" into "failed"; nor
 * one an in-process retrain is publishing itself (recorded as `training`).
 */
export async function onStagedObject(
  ports: PublishPorts,
  settings: PublishSettings,
  event: StagedEvent,
): Promise<StagedOutcome> {
  if (event.kind === 'ignored') return event;
  const { version } = event;
  const previous = await ports.records.read();
  if (previous?.version === version && previous.kind !== 'submitted') {
    ports.log.info('staged object of a version already handled: nothing to do', {
      modelVersion: version,
      recorded: previous.kind,
    });
    return { kind: 'ignored', reason: `${version} is already ${previous.kind}` };
  }
  if (event.kind === 'staged') {
    return publishStagedModel(ports, version, settings, { trainer: 'spark' });
  }
  const reason =
    (await stagedFailure(ports, version)) ?? 'the job reported a failure without a reason';
  return recordSparkFailure(ports, settings, version, reason, batchInProgress(previous));
}
