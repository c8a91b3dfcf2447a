import { defineConfig } from 'vitest/config'

// Test tiers, each a vitest project run by name (`vitest run --project unit`):
//   unit         no servers (PGlite, fastify inject and child processes at most); seconds a file
//   integration  real PostgreSQL, Kafka and KurrentDB (`*.int.test.ts`) and the whole system
//                over HTTP (`tests/e2e`); a suite whose server cannot be had reports itself skipped
//   chaos        faults injected into a running system (`tests/chaos`); CI runs it after the others
// The scale tier is not a vitest project: `pnpm scale` drives it and writes its own report, and
// `pnpm scale:generate` fills a real server with 10,000 generated workers through its API.
const everywhere = ['packages', 'services', 'infra'].map((root) => `${root}/*/test/**/*.test.ts`)
const notUnit = [
  '**/*.int.test.ts',
  '**/*.e2e.test.ts',
  'tests/chaos/**',
  'tests/scale/**',
  '**/node_modules/**',
]

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [...everywhere, 'tests/**/*.test.ts'], exclude: notUnit },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            ...everywhere.map((g) => g.replace('*.test.ts', '*.int.test.ts')),
            'tests/e2e/**/*.test.ts',
          ],
        },
      },
      { extends: true, test: { name: 'chaos', include: ['tests/chaos/**/*.test.ts'] } },
    ],
  },
})
