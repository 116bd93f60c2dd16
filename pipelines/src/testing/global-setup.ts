import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients } from '@reel/functions/adapters';
import { parseConfig } from '@reel/functions/config';
import type { TestProject } from 'vitest/node';
import { DEFAULT_PORTS, findToolchain, type StackPorts } from '../stack/emulators.js';
import { freePort } from '../stack/ports.js';
import { provisionResources } from '../stack/provision.js';
import { repositoryRoot } from '../stack/repository.js';
import { startStack } from '../stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The emulator variables and REEL_* settings every integration test runs with. */
    emulatorEnv: Record<string, string>;
  }
}

const STATE_PREFIX = 'reel-itest-';
const RUNNER_FILE = 'runner.pid';

/**
 * A runner killed outright cannot remove its state dir (its emulators die with it, see
 * process-group.ts); the next run removes those whose runner is gone.
 */
function removeStaleStateDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(STATE_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const runner = runnerPid(join(dir, RUNNER_FILE));
    if (runner !== undefined && !isAlive(runner)) rmSync(dir, { recursive: true, force: true });
  }
}

function runnerPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const log = (message: string) => process.stderr.write(`[emulators] ${message}\n`);

/**
 * Starts every emulator on free ports with a fresh in-memory state for this run, provisions
 * the same resources as `npm start`, and hands the variables to the tests. The returned
 * teardown always stops them; if the runner dies instead, the exit handler and each group's
 * guard (see process-group.ts) take them down.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  removeStaleStateDirs();
  const stateDir = mkdtempSync(join(tmpdir(), STATE_PREFIX));
  writeFileSync(join(stateDir, RUNNER_FILE), String(process.pid));
  const ports = {} as StackPorts;
  for (const name of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    ports[name] = await freePort();
  }
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
