import { defineConfig } from 'vitest/config'

/** One vitest run for the whole workspace; workspace packages resolve to their TypeScript sources. */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'tests/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Finds or starts PostgreSQL and exports DATABASE_URL (see the file); each Postgres test file then
    // works in a schema of its own.
    globalSetup: ['packages/store-postgres/src/testing/global-setup.ts'],
  },
})
