import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    // PROPERTY_RUNS=N raises every property test's runs (a deep check): no per-test time limit then
    testTimeout: process.env.PROPERTY_RUNS ? 0 : 5000,
  },
});
