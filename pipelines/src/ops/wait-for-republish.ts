/**
 * Waiting for a republish (after `npm run retrain` or `npm run rollback`): its progress on the
 * model's record, until every shard has counted itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RepublishProgress, RepublishState } from '@reel/functions/usecases';

export interface RepublishWait {
  progress: Pick<RepublishProgress, 'read'>;
  version: string;
  serial: number;
  timeoutMs: number;
  pollMs?: number;
  /** Called when the counts change (and at least every 10 s). */
  onProgress?: (state: RepublishState | undefined, seconds: number) => void;
}

export type RepublishResult =
  | { outcome: 'finished'; state: RepublishState; seconds: number }
  /** A later republish of the same version replaced this one on the record. */
  | { outcome: 'replaced'; state: RepublishState; seconds: number };

/** One line of progress: shards done of total, people written, skipped, failed. */
export function describeRepublish(state: RepublishState | undefined): string {
  if (!state) return 'not started yet';
  const shards =
    state.shards === undefined
      ? `${state.shardsDone} shards done (still fanning out)`
      : `${state.shardsDone}/${state.shards} shards`;
  return (
    `${shards}, ${state.written} documents written, ${state.skipped} already current, ` +
    `${state.missing} people without a document, ${state.failed} failed` +
    (state.superseded > 0 ? `, ${state.superseded} shards superseded by a later republish` : '')
  );
}

export async function waitForRepublish(options: RepublishWait): Promise<RepublishResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  let last = '';
  let lastNotice = 0;
  for (;;) {
    const state = await options.progress.read(options.version);
    if (state && state.serial > options.serial) {
      return { outcome: 'replaced', state, seconds: seconds() };
    }
    const ours = state?.serial === options.serial ? state : undefined;
    const line = describeRepublish(ours);
    if (line !== last || Date.now() - lastNotice >= 10_000) {
      last = line;
      lastNotice = Date.now();
      options.onProgress?.(ours, seconds());
    }
    if (ours && !ours.running) return { outcome: 'finished', state: ours, seconds: seconds() };
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `the republish of ${options.version} (serial ${options.serial}) did not finish within ${options.timeoutMs / 1000} s: ${line}; ` +
          'shards are redelivered until they succeed: look at the republishUsers function’s log and the republish-dead-letter topic',
      );
    }
    await sleep(options.pollMs ?? 500);
  }
}
