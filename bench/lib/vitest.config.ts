import { defineConfig } from 'vitest/config';

/** The harness's own tests: `npx vitest run --config bench/lib/vitest.config.ts`. */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
