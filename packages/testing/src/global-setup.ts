import { rmSync } from 'node:fs';
import { createClients } from '@reel/functions/adapters';
import { parseConfig } from '@reel/functions/config';
import { findToolchain } from '@reel/pipelines/stack/emulators';
import { provisionResources } from '@reel/pipelines/stack/provision';
import { repositoryRoot } from '@reel/pipelines/stack/repository';
import { startStack } from '@reel/pipelines/stack/stack';
import type { TestProject } from 'vitest/node';
import { testPorts, testStateDir } from './state.js';

const STATE_PREFIX = 'reel-itest-';

const log = (message: string) => process.stderr.write(`[emulators] ${message}\n`);

/**
 * Starts every emulator on free ports with a fresh in-memory state for this run, provisions
 * the same resources as `npm start`, and hands the variables to the tests. The returned
 * teardown always stops them; if the runner dies instead, the exit handler and each group's
 * guard (see process-group.ts) take them down.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = testStateDir(STATE_PREFIX);
  const ports = await testPorts();
  const started = Date.now();
  const stack = await startStack({
    project: 'demo-reel',
    ports,
    toolchain: findToolchain(repositoryRoot()),
    stateDir,
    persist: false,
    onProgress: log,
  }).catch((error: Error) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  });
  const env = { ...stack.env, REEL_MODELS_BUCKET: 'demo-reel-models', REEL_DATASET: 'reel' };
  try {
    const config = parseConfig(env);
    Object.assign(process.env, env);
    const clients = createClients(config, 'global-setup');
    await provisionResources(clients, config, log);
    await clients.close();
  } catch (error) {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('emulatorEnv', env);
  return async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
    log('stopped');
  };
}
