/**
 * Asking for a retrain the way Cloud Scheduler does, and waiting for its result: the pointer
 * `models/current.json` moving, or the retrain's own record of why it did not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topic } from '@google-cloud/pubsub';
import type { Bucket } from '@google-cloud/storage';
import { readPointer, readRetrainStatus } from '@reel/functions/adapters';
import type { RepublishStart, TrainerName } from '@reel/functions/usecases';

/**
 * The message terraform/scheduler.tf publishes, with another trigger name, and the trainer if
 * one is asked for (else the retrain chooses by the data's size).
 */
export function retrainMessage(
  trigger: string,
  trainer?: TrainerName,
): {
  data: Buffer;
  attributes: Record<string, string>;
} {
  return {
    data: Buffer.from(JSON.stringify({ trigger, ...(trainer && { trainer }) })),
    attributes: { trigger },
  };
}

/**
 * Asks retrainModel to check the Spark batch in progress (what terraform/dataproc.tf's periodic
 * job publishes): one that ended without staging a model is then recorded as failed.
 */
export async function publishSparkCheck(topic: Topic): Promise<string> {
  return topic.publishMessage({
    data: Buffer.from(JSON.stringify({ check: 'spark' })),
    attributes: { trigger: 'check' },
  });
}

export async function publishRetrain(
  topic: Topic,
  trigger: string,
  trainer?: TrainerName,
): Promise<string> {
  return topic.publishMessage(retrainMessage(trigger, trainer));
}

/** The part of the retrain's status record (retrain/status.json) this reads. */
interface RetrainStatus {
  kind?: 'submitted' | 'published' | 'refused' | 'failed';
  version?: string;
  reason?: string;
  stage?: string;
  republish?: RepublishStart;
  trigger?: { messageId?: string };
  finishedAt?: string;
}

export type RetrainResult =
  | {
      outcome: 'published';
      version: string;
      /** The fan-out it started (wait for it with waitForRepublish). */
      republish?: RepublishStart;
      seconds: number;
    }
  | { outcome: 'refused' | 'failed'; reason: string; seconds: number };

export interface WaitOptions {
  bucket: Bucket;
  /** The Pub/Sub message id of the request (the retrain's CloudEvent id). */
  eventId: string;
  /**
   * When the request was published. The emulator numbers messages from 1 again after a
   * restart, so a record of an older run can carry the same id; it finished before this.
   */
  requestedAt: Date;
  timeoutMs: number;
  pollMs?: number;
  /** Progress: seconds waited, the new version once the pointer has moved to it, the stage. */
  onWait?: (seconds: number, movedTo?: string, submitted?: string) => void;
  /** Asks for a check of the Spark batch (publishSparkCheck) while this retrain's is submitted. */
  checkSpark?: () => Promise<unknown>;
  /** How often to ask; default 30 s. */
  checkEveryMs?: number;
}

/**
 * Polls the retrain's status record (retrain/status.json) until it describes this request (its
 * trigger's messageId is the one published) and the outcome: published (the pointer moved and
 * the republish fanned out), refused or failed. A Spark retrain records `submitted` first and
 * its outcome when the job's files are published, or when a check finds its batch ended
 * without them (asked for every `checkEveryMs` while it is submitted).
 */
export async function waitForRetrain(options: WaitOptions): Promise<RetrainResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  let lastNotice = started;
  let lastCheck = started;
  for (;;) {
    const status = (await readRetrainStatus(options.bucket)) as RetrainStatus | undefined;
    const ours = status?.trigger?.messageId === options.eventId;
    if (ours && Date.parse(status.finishedAt ?? '') >= options.requestedAt.getTime()) {
      if (status.kind === 'published' && status.version) {
        return {
          outcome: 'published',
          version: status.version,
          ...(status.republish && { republish: status.republish }),
          seconds: seconds(),
        };
      }
      const reason = status.reason ?? '(no reason given)';
      return {
        outcome: status.kind === 'refused' ? 'refused' : 'failed',
        reason: status.stage ? `while ${status.stage}: ${reason}` : reason,
        seconds: seconds(),
      };
    }
    if (Date.now() - started > options.timeoutMs) {
      const pointer = await readPointer(options.bucket);
      throw new Error(
        `the retrain asked for by message ${options.eventId} did not finish within ${options.timeoutMs / 1000} s ` +
          `(serving ${pointer?.pointer.version ?? 'no model'}); look at the retrain function's log`,
      );
    }
    if (
      ours &&
      status.kind === 'submitted' &&
      options.checkSpark &&
      Date.now() - lastCheck >= (options.checkEveryMs ?? 30_000)
    ) {
      lastCheck = Date.now();
      await options.checkSpark();
    }
    if (Date.now() - lastNotice >= 10_000) {
      lastNotice = Date.now();
      options.onWait?.(
        seconds(),
        (await readPointer(options.bucket))?.pointer.version,
        ours && status.kind === 'submitted' ? status.version : undefined,
      );
    }
    await sleep(options.pollMs ?? 500);
  }
}
