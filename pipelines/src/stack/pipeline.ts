/**
 * The whole local product, as `npm start`, the browser test and Protocol E run it: emulators,
 * resources, the three functions with the push subscriptions that feed them, the MovieLens
 * sample, the first model and (optionally) the site.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Clients,
  createClients,
  firestoreRepublishProgress,
  readPointer,
} from '@reel/functions/adapters';
import { type Config, parseConfig } from '@reel/functions/config';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { countImportEvents, loadIntoStores, publishCatalogue } from '../load/load-into-stores.js';
import { publishRetrain, waitForRetrain } from '../ops/trigger-retrain.js';
import { describeRepublish, waitForRepublish } from '../ops/wait-for-republish.js';
import { formatCount } from '../report/progress.js';
import type { StackPorts, Toolchain } from './emulators.js';
import {
  FUNCTION_TARGETS,
  type FunctionTarget,
  functionsEntry,
  functionUrl,
  provisionFunctionSubscriptions,
  startFunctions,
} from './functions.js';
import type { ProcessGroup } from './process-group.js';
import { provisionResources } from './provision.js';
import { buildSiteIfNeeded, serveSite, siteBuildEnv } from './site.js';
import { type RunningStack, startStack } from './stack.js';

export const LOCAL_PROJECT = 'demo-reel';
export const LOCAL_MODELS_BUCKET = 'demo-reel-models';

export interface PipelineOptions {
  root: string;
  ports: StackPorts;
  toolchain: Toolchain;
  stateDir: string;
  /** Keep emulator data in stateDir between runs. */
  persist: boolean;
  /** Ratings to load on a fresh state (none: load nothing, train nothing). */
  ratingsFile?: string;
  /** Build (if needed) and serve the site into this directory; absent: no site. */
  siteDistDir?: string;
  /** Extra settings for the functions (e.g. a higher rate limit for a benchmark). */
  functionEnv?: Record<string, string>;
  /** Serve the functions compiled by tsc, as deployed (functions.ts: `compiled`). */
  compiledFunctions?: boolean;
  onProgress?: (message: string) => void;
}

export interface RunningPipeline {
  stack: RunningStack;
  /** Emulator variables and REEL_* settings (what the functions run with). */
  env: Record<string, string>;
  config: Config;
  functionUrls: Record<FunctionTarget, string>;
  siteUrl?: string;
  /** Every process group: emulators, functions, site. */
  groups: readonly ProcessGroup[];
  /** Seconds for each phase, for the summary. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts everything; on any failure stops what it started and rethrows. */
export async function startPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const { root, ports, stateDir } = options;
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  let phaseStart = Date.now();
  const phase = (name: string) => {
    timings[name] = (Date.now() - phaseStart) / 1000;
    phaseStart = Date.now();
  };

  const stack = await startStack({
    project: LOCAL_PROJECT,
    ports,
    toolchain: options.toolchain,
    stateDir,
    persist: options.persist,
    onProgress: progress,
  });
  phase('emulators');
  const siteOrigins = [`http://127.0.0.1:${ports.site}`, `http://localhost:${ports.site}`];
  const env: Record<string, string> = {
    ...stack.env,
    REEL_DATASET: 'reel',
    REEL_MODELS_BUCKET: LOCAL_MODELS_BUCKET,
    REEL_ALLOWED_ORIGINS: siteOrigins.join(','),
    ...options.functionEnv,
  };
  const config = parseConfig(env);
  Object.assign(process.env, env);

  const stops: (() => Promise<void>)[] = [() => stack.stop()];
  const groups: ProcessGroup[] = [...stack.groups];
  const stop = async () => {
    // Functions and site first, so nothing writes to an emulator that is saving its data.
    for (const step of [...stops].reverse()) await step();
  };
  let clients: Clients | undefined;
  try {
    clients = createClients(config, `pipeline-${process.pid}`);
    await provisionResources(clients, config, progress);
    phase('provision');

    const functions = existsSync(functionsEntry(root))
      ? await startFunctions({
          root,
          ports,
          env,
          logDir: join(stateDir, 'logs'),
          compiled: options.compiledFunctions,
          onProgress: progress,
        })
      : undefined;
    if (functions) {
      stops.push(() => functions.stop());
      groups.push(...functions.groups);
      const subscriptions = await provisionFunctionSubscriptions(
        clients.pubsub,
        config,
        functions.urls,
      );
      progress(
        `push subscriptions ${subscriptions.map((s) => `${s.name} → ${s.pushEndpoint}`).join(', ')}`,
      );
      phase('functions');
    } else {
      progress(`${functionsEntry(root)} does not exist yet: no functions, so no first model`);
    }

    if (options.ratingsFile) {
      await loadSampleOnce(clients, config, options.ratingsFile, progress);
      phase('load');
      if (functions) {
        await trainFirstModel(clients, config, progress);
        phase('first model');
      }
    }

    let siteUrl: string | undefined;
    if (options.siteDistDir) {
      await buildSiteIfNeeded({
        root,
        outDir: options.siteDistDir,
        env: siteBuildEnv(LOCAL_PROJECT, ports),
        logFile: join(stateDir, 'logs', 'site-build.log'),
        onProgress: progress,
      });
      phase('site build');
      const site = await serveSite({
        root,
        distDir: options.siteDistDir,
        port: ports.site,
        apiTarget: functionUrl(ports.api),
        logFile: join(stateDir, 'logs', 'site.log'),
      });
      stops.push(() => site.group.stop(2_000));
      groups.push(site.group);
      siteUrl = site.url;
      phase('site');
    }
    return {
      stack,
      env,
      config,
      functionUrls: Object.fromEntries(
        FUNCTION_TARGETS.map((target) => [target, functionUrl(ports[target])]),
      ) as Record<FunctionTarget, string>,
      siteUrl,
      groups,
      timings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await clients?.close();
  }
}

/** Loads the ratings unless BigQuery already holds imported events (a kept state). */
async function loadSampleOnce(
  clients: Clients,
  config: Config,
  file: string,
  progress: (message: string) => void,
): Promise<void> {
  const stored = await countImportEvents(clients.bigquery, config);
  if (stored > 0) {
    progress(
      `BigQuery already holds ${formatCount(stored)} imported ratings: not loading again (npm run load re-runs it)`,
    );
    return;
  }
  const started = Date.now();
  const loaded = await loadRatingsFile(file, { progress });
  const summary = await loadIntoStores(loaded, {
    bigquery: clients.bigquery,
    firestore: clients.firestore,
    dataset: config,
    bucket: clients.storage.bucket(config.modelsBucket),
    route: 'upload',
    progress,
  });
  const catalogue = await publishCatalogue(
    clients.storage.bucket(config.modelsBucket),
    file,
    loaded,
  );
  progress(
    `loaded ${formatCount(summary.inserted)} ratings of ${formatCount(summary.users)} users and a catalogue of ${formatCount(catalogue.movies)} movies from ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Asks for a retrain unless a model is serving, and waits for it. */
async function trainFirstModel(
  clients: Clients,
  config: Config,
  progress: (message: string) => void,
): Promise<void> {
  const bucket = clients.storage.bucket(config.modelsBucket);
  const before = await readPointer(bucket);
  if (before) {
    progress(`model ${before.pointer.version} is serving (npm run retrain trains a new one)`);
    return;
  }
  const requestedAt = new Date();
  const eventId = await publishRetrain(clients.pubsub.topic(config.retrainTopic), 'first-start');
  progress('training the first model (retrainModel, through topic retrain)');
  const result = await waitForRetrain({
    bucket,
    eventId,
    requestedAt,
    timeoutMs: 600_000,
    onWait: (seconds) => progress(`still training: ${seconds.toFixed(0)} s`),
  });
  if (result.outcome !== 'published') {
    throw new Error(`the first retrain ${result.outcome}: ${result.reason}`);
  }
  progress(`model ${result.version} serving after ${result.seconds.toFixed(1)} s`);
  if (!result.republish) return;
  const republished = await waitForRepublish({
    progress: firestoreRepublishProgress(clients.firestore),
    version: result.version,
    serial: result.republish.serial,
    timeoutMs: 600_000,
    onProgress: (state, seconds) =>
      progress(`republishing: ${describeRepublish(state)} (${seconds.toFixed(0)} s)`),
  });
  progress(
    `model ${result.version} republished after ${republished.seconds.toFixed(1)} s more ` +
      `(${formatCount(result.republish.users)} users in ${result.republish.shards} shards)`,
  );
}
