import { PGlite } from '@electric-sql/pglite'
import { decodeRecorded } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { buildPlatform, type Claims, type Platform } from '@trec/fastify-kit'
import { type TestTokens, testTokens } from '@trec/fastify-kit/testing'
import { ProjectionRunner, storeFeedSource } from '@trec/projections'
import type { FoldEvent, PlanTarget } from '@trec/readmodels'
import { appendRecord, type GeneratedRecord, generateRecord, testRuleSet } from '@trec/readmodels/testing'
import { complianceProjection, complianceService } from '../src/index.ts'

// The compliance service on the real platform over an embedded PostgreSQL holding the store and
// the read model, with a generated record (planted faults included) already projected.

export const pseudonymSecret = 'test-only-pseudonym-secret-0123456789abcdef'

export const planTargets: PlanTarget[] = [
  {
    region: '1301',
    quarter: '2021Q2',
    personTimes: 12,
    byGroup: { migrant_worker: 5 },
    source: 'TEST plan, not seed data',
  },
]

export const callers = {
  auditor: { sub: 'aud-1', role: 'auditor' },
  investigator: { sub: 'inv-1', role: 'investigator' },
  officer: { sub: 'officer-1', role: 'subsidy_officer', region: '1301' },
  finance: { sub: 'fin-1', role: 'finance', region: '1301' },
  financeBaoding: { sub: 'fin-2', role: 'finance', region: '1306' },
  cardService: { sub: 'ssc', role: 'card_service' },
} as const satisfies Record<string, Omit<Claims, 'jti' | 'client_id'>>

export interface Harness {
  app: Platform
  store: EventStore
  db: SqlExecutor
  tokens: TestTokens
  record: GeneratedRecord
  runner: ProjectionRunner
  token(who: keyof typeof callers): Promise<string>
  catchUp(): Promise<void>
  events(): Promise<FoldEvent[]>
  close(): Promise<void>
}

export async function harness(workers = 40): Promise<Harness> {
  const pg = new PGlite()
  const store = await openPGliteEventStore({ db: pg })
  const db = pgliteExecutor(pg)
  const tokens = await testTokens()
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db,
    logLevel: 'silent',
  })
  await app.register(complianceService, { store, db, rules: [testRuleSet], planTargets, pseudonymSecret })
  await app.ready()
  const record = generateRecord({ workers, seed: 21, faultRate: 0.25 })
  await appendRecord(store, record)
  const runner = new ProjectionRunner(db, complianceProjection({ rules: [testRuleSet] }))
  await runner.setup()
  const catchUp = async () => {
    const controller = new AbortController()
    await storeFeedSource(store).run(runner, {
      signal: controller.signal,
      onCaughtUp: () => controller.abort(),
    })
  }
  await catchUp()
  return {
    app,
    store,
    db,
    tokens,
    record,
    runner,
    catchUp,
    token: (who) => tokens.mint(callers[who]),
    events: async () => (await store.readAll({ maxCount: 1_000_000 })).map((e) => decodeRecorded(e)),
    async close() {
      await app.close()
      await store.close()
    },
  }
}
