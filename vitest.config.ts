import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{functions,pipelines,site,terraform}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          // Against the real emulators, which globalSetup starts once per run and always stops.
          name: 'integration',
          include: ['{functions,pipelines,site,terraform}/**/*.itest.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['pipelines/src/testing/global-setup.ts'],
          setupFiles: ['pipelines/src/testing/emulator-env.ts'],
          testTimeout: 30_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
