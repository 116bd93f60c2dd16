import { inject } from 'vitest';

// Runs in every integration test worker before the tests: the official clients read their
// emulator variables from process.env, so the workers need them there.
Object.assign(process.env, inject('emulatorEnv'));
