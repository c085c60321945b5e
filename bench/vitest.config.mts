import { defineConfig } from 'vitest/config';

// Benchmarks that need the engine's TypeScript modules run under vitest (not part of `npm test`):
//   npx vitest run --config bench/vitest.config.mts
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    environment: 'node',
    testTimeout: 15 * 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
