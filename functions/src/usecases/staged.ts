import type { StagedEvent } from '../messages/staged-notification.js';
import type { RetrainRecord } from './ports.js';
import {
  type PublishOutcome,
  type PublishPorts,
  type PublishSettings,
  publishStagedModel,
} from './publish.js';

export type StagedOutcome = PublishOutcome | { kind: 'ignored'; reason: string };

/**
 * What a trainer's staged object means (the Spark job's, notified by Cloud Storage): a version's
 * manifest.json runs the publish step for it, its failed.json records the failure with the
 * job's reason (the current model keeps serving). A version the record already finished is
 * not handled again: a redelivered notification must not turn "published" into "failed".
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
  const reason = await failureReason(ports, version);
  ports.log.error(`Spark training of ${version} failed; the current model keeps serving`, {
    modelVersion: version,
    reason,
  });
  const now = settings.now ?? (() => new Date());
  const outcome: PublishOutcome = { kind: 'failed', version, stage: 'training on Spark', reason };
  const record: RetrainRecord = {
    ...(previous?.version === version && {
      trigger: previous.trigger,
      startedAt: previous.startedAt,
    }),
    trainer: 'spark',
    ...outcome,
    finishedAt: now().toISOString(),
  };
  await ports.records.write(record);
  await ports.models.deleteStaged(version);
  return outcome;
}

async function failureReason(ports: PublishPorts, version: string): Promise<string> {
  try {
    const files = await ports.models.readStagedFiles(version);
    const failed = files.get('failed.json');
    const parsed = failed && (JSON.parse(new TextDecoder().decode(failed)) as { reason?: unknown });
    if (parsed && typeof parsed.reason === 'string') return parsed.reason;
  } catch (error) {
    return `failed.json could not be read: ${(error as Error).message}`;
  }
  return 'the job reported a failure without a reason';
}
