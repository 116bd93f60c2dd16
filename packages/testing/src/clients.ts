import { randomUUID } from 'node:crypto';
import { type Clients, createClients } from '@reel/functions/adapters';
import { type Config, parseConfig } from '@reel/functions/config';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The emulator variables and REEL_* settings every integration test runs with. */
    emulatorEnv: Record<string, string>;
  }
}

/** The configuration of the integration run (emulators started by global-setup.ts). */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ ...inject('emulatorEnv'), ...overrides });
}

/** Clients on their own firebase-admin app, so test files do not share one. */
export function testClients(config: Config = testConfig()): Clients {
  return createClients(config, `test-${randomUUID()}`);
}
