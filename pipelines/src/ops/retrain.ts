/**
 * Asking for a retrain the way Cloud Scheduler does, and waiting for its result: the pointer
 * `models/current.json` moving, or the retrain's own record of why it did not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topic } from '@google-cloud/pubsub';
import type { Bucket } from '@google-cloud/storage';
import { type PointerState, readPointer } from '@reel/functions/adapters';

/** The message terraform/scheduler.tf publishes, with another trigger name. */
export function retrainMessage(trigger: string): {
  data: Buffer;
  attributes: Record<string, string>;
} {
  return { data: Buffer.from(JSON.stringify({ trigger })), attributes: { trigger } };
}

export async function publishRetrain(topic: Topic, trigger: string): Promise<string> {
  return topic.publishMessage(retrainMessage(trigger));
}

/** What the retrain writes at the end of each run (see the retrain function). */
export const RETRAIN_OUTCOME_PATH = 'models/last-retrain.json';

export interface RetrainOutcome {
  eventId: string;
  outcome: 'published' | 'refused' | 'failed';
  version?: string;
  reason?: string;
  finishedAt: string;
}

async function readOutcome(bucket: Bucket): Promise<RetrainOutcome | undefined> {
  try {
    const [contents] = await bucket.file(RETRAIN_OUTCOME_PATH).download();
    return JSON.parse(contents.toString('utf8')) as RetrainOutcome;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === 404) return undefined;
    // A half-written or foreign record is not our answer; keep waiting for the pointer.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export type RetrainResult =
  | { outcome: 'published'; version: string; seconds: number }
  | { outcome: 'refused' | 'failed'; reason: string; seconds: number };

export interface WaitOptions {
  bucket: Bucket;
  /** The pointer before the request (undefined: no model yet). */
  before: PointerState | undefined;
  /** The Pub/Sub message id of the request (the retrain's CloudEvent id). */
  eventId: string;
  timeoutMs: number;
  pollMs?: number;
  onWait?: (seconds: number) => void;
}

/** Polls until the pointer moves or the retrain records a refusal or failure of this request. */
export async function waitForRetrain(options: WaitOptions): Promise<RetrainResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  let lastNotice = started;
  for (;;) {
    const pointer = await readPointer(options.bucket);
    if (pointer && pointer.generation !== options.before?.generation) {
      return { outcome: 'published', version: pointer.pointer.version, seconds: seconds() };
    }
    const outcome = await readOutcome(options.bucket);
    if (outcome && outcome.eventId === options.eventId && outcome.outcome !== 'published') {
      return {
        outcome: outcome.outcome,
        reason: outcome.reason ?? '(no reason given)',
        seconds: seconds(),
      };
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `no new model within ${options.timeoutMs / 1000} s of the retrain request ${options.eventId}; ` +
          "the pointer is unchanged: look at the retrain function's log",
      );
    }
    if (Date.now() - lastNotice >= 10_000) {
      lastNotice = Date.now();
      options.onWait?.(seconds());
    }
    await sleep(options.pollMs ?? 500);
  }
}
