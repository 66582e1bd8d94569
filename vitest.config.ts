import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** A package's source file, for the aliases below. */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The publishable packages' `exports` name their compiled dist/; tests read the source, as the
    // root tsconfig.json `paths` do for tsc and tsx, so a test never runs a stale build.
    alias: [
      { find: /^@perch\/protocol$/, replacement: source('./packages/protocol/src/index.ts') },
      { find: /^@perch\/protocol\/errors$/, replacement: source('./packages/protocol/src/errors.ts') },
      { find: /^@perch\/node$/, replacement: source('./packages/node/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/lib/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
