import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClients } from '@reel/functions/adapters';
import { BUNDLED_RATINGS } from '@reel/pipelines/data/bundled';
import { findToolchain } from '@reel/pipelines/stack/emulators';
import { type RunningPipeline, startPipeline } from '@reel/pipelines/stack/pipeline';
import { repositoryRoot } from '@reel/pipelines/stack/repository';
import type { TestProject } from 'vitest/node';
import { chromiumPath, isExecutable, missingMessage } from './chromium.js';
import { testPorts, testStateDir } from './state.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the e2e globalSetup serves the site (the browser test's REEL_SITE_URL). */
    siteUrl: string;
  }
}

const log = (message: string) => process.stderr.write(`[e2e stack] ${message}\n`);

/**
 * One rating through the whole pipeline before the test, as a visitor would have sent it
 * earlier: the ingest instance loads the model and compiles its hot paths on its first event
 * (seconds on a busy 2-core machine), which a running product has long done. Returns the ms
 * from POST to the personal recommendations document.
 */
async function warmUp(pipeline: RunningPipeline): Promise<number> {
  const signUp = await fetch(
    `http://${pipeline.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=e2e`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  const { localId, idToken } = (await signUp.json()) as { localId: string; idToken: string };
  const started = Date.now();
  const response = await fetch(`${pipeline.functionUrls.api}/v1/ratings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ movieId: 1, rating: 4 }),
  });
  if (response.status !== 202) {
    throw new Error(
      `warm-up rating: the api answered ${response.status}: ${await response.text()}`,
    );
  }
  const clients = createClients(pipeline.config, 'e2e-warm-up');
  try {
    for (;;) {
      const snapshot = await clients.firestore.doc(`recommendations/${localId}`).get();
      if (snapshot.get('basis') === 'personal') return Date.now() - started;
      if (Date.now() - started > 60_000) {
        throw new Error('warm-up rating: no personal recommendations within 60 s');
      }
      await sleep(100);
    }
  } finally {
    await clients.close();
  }
}

/**
 * Starts the whole product as `npm start` does, with a fresh state: emulators, functions, push
 * subscriptions, the MovieLens sample, the first model, and the site (built into
 * .reel/e2e-site, reused while its sources and the emulator ports it was built for stay the
 * same; the ports are the defaults + 20000 when free, so they usually do). Always stopped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Before minutes of stack start-up: without a browser the test cannot run at all.
  const browser = chromiumPath(process.env);
  if (!isExecutable(browser)) {
    throw new Error(missingMessage(browser));
  }
  const root = repositoryRoot();
  const stateDir = testStateDir('reel-e2e-');
  const started = Date.now();
  const pipeline = await startPipeline({
    root,
    ports: await testPorts(20_000),
    toolchain: findToolchain(root),
    stateDir,
    persist: false,
    ratingsFile: BUNDLED_RATINGS,
    siteDistDir: join(root, '.reel', 'e2e-site'),
    onProgress: log,
  }).catch((error: Error) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  });
  try {
    log(`warm-up rating: ${await warmUp(pipeline)} ms from POST to personal recommendations`);
  } catch (error) {
    await pipeline.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${Object.entries(pipeline.timings)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
      .join(', ')}); site ${pipeline.siteUrl}`,
  );
  project.provide('siteUrl', pipeline.siteUrl!);
  return async () => {
    await pipeline.stop();
    rmSync(stateDir, { recursive: true, force: true });
    log('stopped');
  };
}
