import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessGroup } from './process-group.js';

/**
 * Polls `url` until it answers 2xx. Fails early if the process exits, and on timeout; both
 * errors carry the emulator's log tail so the cause is on screen.
 */
export function waitUntilReady(group: ProcessGroup, url: string, timeoutMs: number) {
  return pollUntil(group, url, timeoutMs, (status) => status >= 200 && status < 300);
}

/** Polls `url` until it answers at all (a function's GET may well be a 404 or 405). */
export function waitUntilAnswering(group: ProcessGroup, url: string, timeoutMs: number) {
  return pollUntil(group, url, timeoutMs, () => true);
}

async function pollUntil(
  group: ProcessGroup,
  url: string,
  timeoutMs: number,
  accept: (status: number) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (group.hasExited()) {
      const status = await group.exited;
      throw new Error(
        `${group.name} exited during start (${describeExit(status)}); ` +
          `last lines of ${group.logFile}:\n${group.logTail()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (accept(response.status)) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(
    `${group.name} not ready after ${timeoutMs / 1000} s (GET ${url}: ${lastProblem}); ` +
      `last lines of ${group.logFile}:\n${group.logTail()}`,
  );
}

function describeExit(status: { code: number | null; signal: NodeJS.Signals | null }): string {
  return status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`;
}
