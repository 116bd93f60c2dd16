/**
 * Serves one function of `functions/src/index.ts` on 127.0.0.1, as the Functions Framework
 * does in Cloud Run: `node --import tsx function-server.ts --target=api --port=8090`.
 *
 * The framework's own CLI listens on every interface and has no host option, so this imports
 * the functions module (which registers its targets with `http()` / `cloudEvent()`) and serves
 * the registered target through the framework's `getServer` (what `getTestServer` returns),
 * bound to loopback. The framework is resolved from the functions workspace, so it is the same
 * module instance, and the same registry, that the functions registered with. The sources run
 * through tsx: every start serves the code as it is on disk, nothing to rebuild.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LOOPBACK } from './ports.js';

interface FrameworkTesting {
  getTestServer(target: string): import('node:http').Server;
}

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    target: { type: 'string' },
    port: { type: 'string' },
    timeout: { type: 'string' },
  },
  strict: true,
});
const { source, target, port, timeout = '0' } = values;
if (!source || !target || !port || !/^\d+$/.test(port) || !/^\d+$/.test(timeout)) {
  process.stderr.write(
    'usage: function-server.ts --source=FILE --target=NAME --port=N [--timeout=SECONDS]\n',
  );
  process.exit(2);
}

const frameworkTesting = createRequire(source)(
  '@google-cloud/functions-framework/testing',
) as FrameworkTesting;
await import(pathToFileURL(source).href);
const server = frameworkTesting.getTestServer(target);
// No idle timeout: a retrain push holds its request open for as long as the training runs.
server.setTimeout(0);
// Cloud Run ends a request that outlives the function's timeout (Terraform's timeout_seconds),
// and Pub/Sub then delivers the message again. Without this a stuck event would hold one of
// the emulator's two push loops for good. The work goes on, as it may on Cloud Run.
const timeoutMs = Number(timeout) * 1000;
if (timeoutMs > 0) {
  server.prependListener('request', (request, response) => {
    const timer = setTimeout(() => {
      process.stdout.write(
        `${JSON.stringify({ severity: 'WARNING', message: `request to ${target} timed out after ${timeout} s: connection closed`, path: request.url })}\n`,
      );
      request.socket.destroy();
    }, timeoutMs);
    response.once('close', () => clearTimeout(timer));
  });
}
// The process's CPU time (user + system) spent on each request, from its arrival to the end of
// its response, and the process's total so far, one JSON line each: bench:e2e reads them for
// the per-event CPU of a function apart from the emulators. CPU spent while several requests
// are in flight is shared equally among them; CPU between requests goes to none.
const inFlight = new Set<{ cpuMicros: number }>();
let sampled = process.cpuUsage();
const shareCpu = () => {
  const now = process.cpuUsage();
  const spent = now.user - sampled.user + (now.system - sampled.system);
  sampled = now;
  for (const request of inFlight) request.cpuMicros += spent / inFlight.size;
  return now;
};
server.prependListener('request', (_request, response) => {
  shareCpu();
  const request = { cpuMicros: 0 };
  inFlight.add(request);
  response.once('finish', () => {
    const total = shareCpu();
    inFlight.delete(request);
    process.stdout.write(
      `${JSON.stringify({
        severity: 'DEBUG',
        message: 'request cpu',
        requestCpuMicros: Math.round(request.cpuMicros),
        processCpuMicros: total.user + total.system,
      })}\n`,
    );
  });
});
server.listen(Number(port), LOOPBACK, () => {
  process.stdout.write(`serving ${target} from ${source} at http://${LOOPBACK}:${port}/\n`);
});
// Finish requests in flight (a push not answered would be redelivered anyway), then go.
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
