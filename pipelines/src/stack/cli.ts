/**
 * `npm start`: the local stack. Starts every emulator, provisions the resources, prints the
 * endpoints, and on Ctrl-C (SIGINT) or SIGTERM saves the state and stops everything it started.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { createClients } from '@reel/functions/adapters';
import { parseConfig } from '@reel/functions/config';
import { type EmulatorName, findToolchain } from './emulators.js';
import { parseStackArgs, USAGE, UsageError } from './options.js';
import { groupRssBytes } from './process-group.js';
import { provisionResources } from './provision.js';
import { repositoryRoot } from './repository.js';
import { type RunningStack, startStack } from './stack.js';

const PROJECT = 'demo-reel';
const MODELS_BUCKET = 'demo-reel-models';

const log = (message: string) => process.stderr.write(`[stack] ${message}\n`);

async function main(): Promise<number> {
  const options = parseStackArgs(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = repositoryRoot();
  const stateDir = isAbsolute(options.stateDir) ? options.stateDir : join(root, options.stateDir);
  if (options.fresh) {
    rmSync(join(stateDir, 'data'), { recursive: true, force: true });
    log(`--fresh: removed the kept data in ${relative(root, stateDir) || stateDir}`);
  }

  // Until the stack is up, Ctrl-C just exits: the exit handler kills what has started.
  const exitNow = () => process.exit(130);
  process.once('SIGINT', exitNow);
  process.once('SIGTERM', exitNow);

  const started = Date.now();
  const stack = await startStack({
    project: PROJECT,
    ports: options.ports,
    toolchain: findToolchain(root),
    stateDir,
    persist: true,
    onProgress: log,
  });
  process.removeListener('SIGINT', exitNow);
  process.removeListener('SIGTERM', exitNow);

  const stopped = waitForStop(stack);
  const env = { ...stack.env, REEL_DATASET: 'reel', REEL_MODELS_BUCKET: MODELS_BUCKET };
  const config = parseConfig(env);
  Object.assign(process.env, env);
  const clients = createClients(config, 'stack');
  try {
    await provisionResources(clients, config, log);
  } catch (error) {
    await stack.stop();
    throw error;
  } finally {
    await clients.close();
  }

  const envFile = join(stateDir, 'env');
  writeFileSync(
    envFile,
    `${Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n')}\n`,
  );
  process.stdout.write(
    describe(stack, env, relative(root, envFile), (Date.now() - started) / 1000),
  );
  return stopped;
}

/** Resolves with the exit code once a signal, or an emulator dying on its own, stopped it. */
function waitForStop(stack: RunningStack): Promise<number> {
  // The emulators' processes do not hold the event loop open (see process-group.ts); this does.
  const keepAlive = setInterval(() => {}, 60_000);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: string, code: number) => {
      if (stopping) return;
      stopping = true;
      log(`${reason}: saving state and stopping every emulator`);
      stack.stop().then(
        () => {
          log('stopped; nothing of the stack is left running');
          resolve(code);
        },
        (error: Error) => {
          log(`stopping failed: ${error.message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT', 0));
    process.once('SIGTERM', () => stop('SIGTERM', 0));
    for (const group of stack.groups) {
      void group.exited.then((status) => {
        if (stopping) return;
        log(
          `${group.name} emulator exited on its own (${status.signal ?? `code ${status.code}`}); last lines of ${group.logFile}:\n${group.logTail()}`,
        );
        stop(`${group.name} died`, 1);
      });
    }
  }).finally(() => clearInterval(keepAlive));
}

function describe(
  stack: RunningStack,
  env: Record<string, string>,
  envFile: string,
  seconds: number,
): string {
  const { ports } = stack;
  const rows: [string, EmulatorName, number, string][] = [
    ['Pub/Sub', 'pubsub', ports.pubsub, 'topics ratings, retrain, ratings-dead-letter'],
    ['Firestore', 'firestore', ports.firestore, 'users, recommendations, public, movies'],
    [
      'Auth',
      'auth',
      ports.auth,
      `firebase-tools; hub ${ports.authHub}, logging ${ports.authLogging}`,
    ],
    ['BigQuery', 'bigquery', ports.bigquery, `dataset reel (gRPC ${ports.bigqueryGrpc})`],
    ['Cloud Storage', 'storage', ports.storage, `bucket ${MODELS_BUCKET}`],
  ];
  const rss = (name: EmulatorName) => {
    const group = stack.groups.find((candidate) => candidate.name === name);
    return group ? `${(groupRssBytes(group.pid) / 2 ** 20).toFixed(0)} MiB` : '?';
  };
  return [
    '',
    `Reel local stack up in ${seconds.toFixed(1)} s (project ${stack.project}, all on 127.0.0.1)`,
    '',
    `  ${'emulator'.padEnd(14)} ${'port'.padEnd(6)} ${'ready'.padStart(7)} ${'memory'.padStart(9)}  holds`,
    ...rows.map(
      ([label, name, port, what]) =>
        `  ${label.padEnd(14)} ${String(port).padEnd(6)} ${`${stack.readySeconds[name].toFixed(1)} s`.padStart(7)} ${rss(name).padStart(9)}  ${what}`,
    ),
    '',
    `Point a shell at it (also in ${envFile}):`,
    '',
    ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    'Ctrl-C stops everything; data is kept for the next npm start (npm start -- --fresh to start clean).',
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    // Our errors say what to do; the stack trace is for debugging only.
    log(process.env.REEL_DEBUG ? (error.stack ?? error.message) : error.message);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
