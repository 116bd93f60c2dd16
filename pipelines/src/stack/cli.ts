/**
 * `npm start`: the whole product on this machine. Starts every emulator, provisions the
 * resources, starts the three functions with the push subscriptions that feed them, loads the
 * MovieLens sample on a fresh state, waits for the first model, builds (if needed) and serves
 * the site, prints the URLs, and on Ctrl-C (SIGINT) or SIGTERM saves the state and stops
 * every process group it started.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { type EmulatorName, findToolchain } from './emulators.js';
import { FUNCTION_TARGETS } from './functions.js';
import { parseStackArgs, USAGE, UsageError } from './options.js';
import { LOCAL_MODELS_BUCKET, type RunningPipeline, startPipeline } from './pipeline.js';
import { groupRssBytes } from './process-group.js';
import { repositoryRoot } from './repository.js';

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

  // Until everything is up, Ctrl-C just exits: the exit handler kills what has started.
  const exitNow = () => process.exit(130);
  process.once('SIGINT', exitNow);
  process.once('SIGTERM', exitNow);

  const started = Date.now();
  const pipeline = await startPipeline({
    root,
    ports: options.ports,
    toolchain: findToolchain(root),
    stateDir,
    persist: true,
    ratingsFile: options.ratings ?? BUNDLED_RATINGS,
    siteDistDir: options.site ? join(root, 'site', 'dist') : undefined,
    // The retrain's knobs, when set, reach the functions as Terraform's variables do.
    functionEnv: Object.fromEntries(
      ['REEL_RETRAIN_MAX_REGRESSION', 'REEL_SPARK_ABOVE_RATINGS'].flatMap((name) =>
        process.env[name] ? [[name, process.env[name]]] : [],
      ),
    ),
    onProgress: log,
  });
  process.removeListener('SIGINT', exitNow);
  process.removeListener('SIGTERM', exitNow);

  const stopped = waitForStop(pipeline);
  const envFile = join(stateDir, 'env');
  writeFileSync(
    envFile,
    `${Object.entries(pipeline.env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n')}\n`,
  );
  process.stdout.write(describe(pipeline, relative(root, envFile), (Date.now() - started) / 1000));
  return stopped;
}

/** Resolves with the exit code once a signal, or an emulator dying on its own, stopped it. */
function waitForStop(pipeline: RunningPipeline): Promise<number> {
  // The emulators' processes do not hold the event loop open (see process-group.ts); this does.
  const keepAlive = setInterval(() => {}, 60_000);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: string, code: number) => {
      if (stopping) return;
      stopping = true;
      log(`${reason}: saving state and stopping the site, the functions and every emulator`);
      pipeline.stop().then(
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
    for (const group of pipeline.groups) {
      void group.exited.then((status) => {
        if (stopping) return;
        log(
          `${group.name} exited on its own (${status.signal ?? `code ${status.code}`}); last lines of ${group.logFile}:\n${group.logTail()}`,
        );
        stop(`${group.name} died`, 1);
      });
    }
  }).finally(() => clearInterval(keepAlive));
}

function describe(pipeline: RunningPipeline, envFile: string, seconds: number): string {
  const { stack } = pipeline;
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
    ['Cloud Storage', 'storage', ports.storage, `bucket ${LOCAL_MODELS_BUCKET}`],
  ];
  const rss = (name: string) => {
    const group = pipeline.groups.find((candidate) => candidate.name === name);
    return group ? `${(groupRssBytes(group.pid) / 2 ** 20).toFixed(0)} MiB` : '?';
  };
  const phases = Object.entries(pipeline.timings)
    .map(([name, phaseSeconds]) => `${name} ${phaseSeconds.toFixed(1)} s`)
    .join(', ');
  return [
    '',
    `Reel is ready in ${seconds.toFixed(1)} s (project ${stack.project}, all on 127.0.0.1): ${phases}`,
    '',
    ...(pipeline.siteUrl
      ? [`  Site:       ${pipeline.siteUrl}/  (/api → the api function)`, '']
      : []),
    `  ${'function'.padEnd(14)} ${'url'.padEnd(24)} ${'memory'.padStart(9)}`,
    ...FUNCTION_TARGETS.map(
      (target) =>
        `  ${target.padEnd(14)} ${pipeline.functionUrls[target].padEnd(24)} ${rss(target).padStart(9)}`,
    ),
    '',
    `  ${'emulator'.padEnd(14)} ${'port'.padEnd(6)} ${'ready'.padStart(7)} ${'memory'.padStart(9)}  holds`,
    ...rows.map(
      ([label, name, port, what]) =>
        `  ${label.padEnd(14)} ${String(port).padEnd(6)} ${`${stack.readySeconds[name].toFixed(1)} s`.padStart(7)} ${rss(name).padStart(9)}  ${what}`,
    ),
    '',
    `Point a shell at it (also in ${envFile}):`,
    '',
    ...Object.entries(pipeline.env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    'npm run retrain trains a new model; npm run rollback goes back one; npm run load loads more ratings.',
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
