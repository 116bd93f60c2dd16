import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{functions,pipelines,site,terraform,packages}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          // Against the real emulators, which globalSetup starts once per run and always stops.
          name: 'integration',
          include: ['{functions,pipelines,site,terraform,packages}/**/*.itest.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          // One file at a time: files share the emulators' global documents (movies/*,
          // public/popular), which a republish in one file would overwrite under another.
          fileParallelism: false,
          setupFiles: ['packages/testing/src/emulator-env.ts'],
          testTimeout: 30_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // The browser test against the whole product, which globalSetup starts as npm start
          // does (free ports, fresh state, site built and served) and always stops.
          name: 'e2e',
          include: ['site/e2e/**/*.e2e.ts'],
          globalSetup: ['packages/testing/src/e2e-setup.ts'],
          setupFiles: ['packages/testing/src/e2e-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
