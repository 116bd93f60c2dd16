import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOOPBACK } from './ports.js';
import type { ProcessGroup } from './process-group.js';

/**
 * Polls until `port` accepts a connection. A function server is ready once it listens; an
 * HTTP probe would run the function (or, for a CloudEvent one, make the framework log a
 * TypeError about the missing body).
 */
export async function waitUntilListening(
  group: ProcessGroup,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (group.hasExited()) {
      const status = await group.exited;
      throw new Error(
        `${group.name} exited during start (${describeExit(status)}); ` +
          `last lines of ${group.logFile}:\n${group.logTail()}`,
      );
    }
    if (await accepts(port)) return;
    await sleep(100);
  }
  throw new Error(
    `${group.name} not listening on ${LOOPBACK}:${port} after ${timeoutMs / 1000} s; ` +
      `last lines of ${group.logFile}:\n${group.logTail()}`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: LOOPBACK });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `url` until it answers 2xx. Fails early if the process exits, and on timeout; both
 * errors carry the emulator's log tail so the cause is on screen.
 */
export async function waitUntilReady(
  group: ProcessGroup,
  url: string,
  timeoutMs: number,
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
      if (response.ok) return;
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
