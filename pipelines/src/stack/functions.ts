import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PubSub } from '@google-cloud/pubsub';
import type { Config } from '@reel/functions/config';
import { LOOPBACK } from './ports.js';
import { type ProcessGroup, startProcessGroup } from './process-group.js';
import {
  localPushEndpoint,
  type PushSubscription,
  provisionPushSubscriptions,
} from './provision.js';
import { waitUntilListening } from './readiness.js';
import { MODEL_STAGED_SUBSCRIPTION, MODEL_STAGED_TOPIC } from './spark.js';

/** The entry points of functions/src/index.ts, one local server each. */
export const FUNCTION_TARGETS = ['api', 'ingestRating', 'retrainModel', 'republishUsers'] as const;
export type FunctionTarget = (typeof FUNCTION_TARGETS)[number];

export type FunctionPorts = Record<FunctionTarget, number>;

/** terraform/functions.tf's republish_users timeout: a shard takes seconds (docs/capacity.md). */
const REPUBLISH_TIMEOUT_SECONDS = 300;

/** Each function's timeout in seconds, as terraform/functions.tf gives it (retrain: the default). */
export const FUNCTION_TIMEOUT_SECONDS: Record<FunctionTarget, number> = {
  api: 30,
  ingestRating: 60,
  retrainModel: 540,
  republishUsers: REPUBLISH_TIMEOUT_SECONDS,
};

export interface FunctionsOptions {
  /** The repository root: functions/src/index.ts and node_modules/tsx are found from here. */
  root: string;
  ports: FunctionPorts;
  /** The functions' whole environment: emulator variables and REEL_* settings. */
  env: Record<string, string>;
  /** One log per function, `NAME.log`. */
  logDir: string;
  /** tsx compiles the sources at start; on a busy 2-core machine that takes a while. */
  readyTimeoutMs?: number;
  /**
   * Serve the JavaScript that tsc compiles into functions/dist, as the deploy builds it and
   * Cloud Run runs it, instead of the sources through tsx. The benchmarks that measure the
   * functions' own CPU use it: tsx's loader adds work the cloud does not do (a library that
   * imports a module on every request pays a round trip to the loader's thread each time).
   */
  compiled?: boolean;
  onProgress?: (message: string) => void;
}

export interface RunningFunctions {
  urls: Record<FunctionTarget, string>;
  groups: readonly ProcessGroup[];
  readySeconds: Record<FunctionTarget, number>;
  stop(): Promise<void>;
}

const LAUNCHER = fileURLToPath(new URL('./function-server.ts', import.meta.url));

const execFileAsync = promisify(execFile);

/** What each function process runs: the launcher and the functions module, and how. */
interface Served {
  nodeArgs: string[];
  launcher: string;
  source: string;
}

/**
 * Compiles the functions with their build configuration (functions/dist, what the deploy
 * stages) and the launcher beside the project's local tools (.reel/function-server), so the
 * processes run without tsx.
 */
async function compileFunctions(
  root: string,
  progress: (message: string) => void,
): Promise<Served> {
  const startedAt = Date.now();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const launcherDir = join(root, '.reel', 'function-server');
  await execFileAsync(process.execPath, [tsc, '-p', join('functions', 'tsconfig.build.json')], {
    cwd: root,
  });
  await execFileAsync(
    process.execPath,
    [
      tsc,
      ...['--outDir', launcherDir, '--rootDir', dirname(LAUNCHER)],
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
      ...['--skipLibCheck', '--types', 'node'],
      LAUNCHER,
    ],
    { cwd: root },
  );
  progress(`functions compiled by tsc in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return {
    nodeArgs: [],
    launcher: join(launcherDir, 'function-server.js'),
    source: join(root, 'functions', 'dist', 'index.js'),
  };
}

export const functionUrl = (port: number) => `http://${LOOPBACK}:${port}`;

/**
 * With REEL_CPU_PROF_DIR set, each function process writes a V8 CPU profile there when it
 * stops, under `TARGET/` (one file per thread: the largest is the main thread's), for Chrome
 * DevTools or `npm run profile:summary`: how the ingest's CPU per event was taken apart
 * (docs/capacity.md).
 */
function cpuProfileArgs(target: FunctionTarget): string[] {
  const dir = process.env.REEL_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, target)}`] : [];
}

/** The module that registers the three targets. */
export const functionsEntry = (root: string) => join(root, 'functions', 'src', 'index.ts');

/**
 * Starts each function as a local functions-framework server in its own process group, from
 * the TypeScript sources (through tsx, so a changed source is served on the next start), and
 * waits until each answers HTTP.
 */
export async function startFunctions(options: FunctionsOptions): Promise<RunningFunctions> {
  const { root, ports, env, logDir } = options;
  const progress = options.onProgress ?? (() => {});
  const source = functionsEntry(root);
  if (!existsSync(source)) {
    throw new Error(`${source} does not exist: the functions' entry points are missing`);
  }
  mkdirSync(logDir, { recursive: true });
  const served: Served = options.compiled
    ? await compileFunctions(root, progress)
    : { nodeArgs: ['--import', 'tsx'], launcher: LAUNCHER, source };
  const startedAt = Date.now();
  const groups: ProcessGroup[] = [];
  const readySeconds = {} as Record<FunctionTarget, number>;
  const stop = async () => {
    await Promise.all(groups.map((group) => group.stop(5_000)));
  };
  try {
    for (const target of FUNCTION_TARGETS) {
      const logFile = join(logDir, `${target}.log`);
      rmSync(logFile, { force: true });
      groups.push(
        startProcessGroup({
          name: target,
          command: process.execPath,
          args: [
            ...cpuProfileArgs(target),
            ...served.nodeArgs,
            served.launcher,
            `--source=${served.source}`,
            `--target=${target}`,
            `--port=${ports[target]}`,
            `--timeout=${FUNCTION_TIMEOUT_SECONDS[target]}`,
          ],
          // Only what the functions are configured with, as in the cloud; PATH and HOME for
          // tsx and Node themselves.
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
          cwd: root,
          logFile,
        }),
      );
    }
    await Promise.all(
      FUNCTION_TARGETS.map(async (target, index) => {
        await waitUntilListening(groups[index]!, ports[target], options.readyTimeoutMs ?? 90_000);
        readySeconds[target] = (Date.now() - startedAt) / 1000;
        progress(`${target} serving on ${ports[target]} in ${readySeconds[target].toFixed(1)} s`);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const urls = Object.fromEntries(
    FUNCTION_TARGETS.map((target) => [target, functionUrl(ports[target])]),
  ) as Record<FunctionTarget, string>;
  return { urls, groups, readySeconds, stop };
}

/** Names of the push subscriptions, as in terraform/pubsub.tf. */
export const INGEST_SUBSCRIPTION = 'ratings-ingest';
export const RETRAIN_SUBSCRIPTION = 'retrain-model';
export const REPUBLISH_SUBSCRIPTION = 'republish-users';

/** terraform/functions.tf `local.ingest_timeout_seconds`. */
const INGEST_TIMEOUT_SECONDS = 60;
/** terraform/variables.tf `dead_letter_max_delivery_attempts` default. */
const MAX_DELIVERY_ATTEMPTS = 5;

type SubscribedTarget = 'ingestRating' | 'retrainModel' | 'republishUsers';

/**
 * The push subscriptions that deliver events to the local functions, with the settings of
 * terraform/pubsub.tf: ratings ordered per user, backoff 5–300 s, dead letters after 5
 * attempts; the retrain with a 600 s deadline, backoff 60–600 s and no dead-letter topic;
 * republish shards with backoff 1–60 s (a shard is idempotent: redelivery finishes it) and
 * dead letters after 5 attempts.
 */
export function pushSubscriptions(
  config: Pick<
    Config,
    | 'project'
    | 'ratingsTopic'
    | 'retrainTopic'
    | 'deadLetterTopic'
    | 'republishTopic'
    | 'republishDeadLetterTopic'
  >,
  urls: Pick<Record<FunctionTarget, string>, SubscribedTarget>,
  names = {
    ingest: INGEST_SUBSCRIPTION,
    retrain: RETRAIN_SUBSCRIPTION,
    republish: REPUBLISH_SUBSCRIPTION,
  },
): PushSubscription[] {
  return [
    {
      name: names.ingest,
      topic: config.ratingsTopic,
      pushEndpoint: localPushEndpoint(urls.ingestRating, config.project, config.ratingsTopic),
      ordered: true,
      ackDeadlineSeconds: INGEST_TIMEOUT_SECONDS + 30,
      minimumBackoffSeconds: 5,
      maximumBackoffSeconds: 300,
      deadLetter: { topic: config.deadLetterTopic, maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
    },
    {
      name: names.retrain,
      topic: config.retrainTopic,
      pushEndpoint: localPushEndpoint(urls.retrainModel, config.project, config.retrainTopic),
      ordered: false,
      ackDeadlineSeconds: 600,
      minimumBackoffSeconds: 60,
      maximumBackoffSeconds: 600,
    },
    {
      // The Spark trainer's staged files (the storage emulator's notifications), published by
      // retrainModel as in terraform/dataproc.tf.
      name: MODEL_STAGED_SUBSCRIPTION,
      topic: MODEL_STAGED_TOPIC,
      pushEndpoint: localPushEndpoint(urls.retrainModel, config.project, MODEL_STAGED_TOPIC),
      ordered: false,
      ackDeadlineSeconds: 600,
      minimumBackoffSeconds: 30,
      maximumBackoffSeconds: 600,
    },
    {
      name: names.republish,
      topic: config.republishTopic,
      pushEndpoint: localPushEndpoint(urls.republishUsers, config.project, config.republishTopic),
      ordered: false,
      ackDeadlineSeconds: REPUBLISH_TIMEOUT_SECONDS + 30,
      minimumBackoffSeconds: 1,
      maximumBackoffSeconds: 60,
      deadLetter: {
        topic: config.republishDeadLetterTopic,
        maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS,
      },
    },
  ];
}

export async function provisionFunctionSubscriptions(
  pubsub: PubSub,
  config: Config,
  urls: Pick<Record<FunctionTarget, string>, SubscribedTarget>,
): Promise<PushSubscription[]> {
  const subscriptions = pushSubscriptions(config, urls);
  await provisionPushSubscriptions(pubsub, config.project, subscriptions);
  return subscriptions;
}
