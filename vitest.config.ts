import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the workspace packages resolve to their TypeScript sources (the "source" export condition), not dist
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    // Property tests hold the runtimes to the shared-buffer NFA, which takes seconds on some random
    // patterns that branch on every event (allowCombinations over 40 events); PROPERTY_RUNS=N (a deep
    // check) lifts the limit altogether
    testTimeout: process.env.PROPERTY_RUNS ? 0 : 60_000,
  },
});
