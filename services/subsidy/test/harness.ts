import { PGlite } from '@electric-sql/pglite'
import { type DomainEventToAppend, streamFor, toEventToAppend } from '@trec/contracts'
import { openPGliteEventStore, pgliteExecutor, type SqlEventStore } from '@trec/eventstore/pglite'
import type { Claims } from '@trec/fastify-kit'
import { type TestPlatform, testPlatform } from '@trec/fastify-kit/testing'
import { generateMasterKey, KeyRing, MemoryKeyStore } from '@trec/privacy'
import type { Fact } from '../src/domain/facts.ts'
import { subsidyService } from '../src/index.ts'
import { harbinTest, institution, seedRules } from './record.ts'

// The service on the real platform (signed tokens, problem+json, idempotency) over an embedded
// PostgreSQL, the clock fixed inside the 石家庄 rule set's period.

export const clockAt = new Date('2021-06-15T02:00:00Z')

/** The pseudonym secret of the tests' deployment (card numbers become pseudonyms under it). */
export const pseudonymSecret = 'subsidy-test-pseudonym-secret-0123456789'

export interface Harness extends TestPlatform {
  store: SqlEventStore
  db: PGlite
  /** Seals accounts under a worker's key, as the finance system does. */
  keyRing: KeyRing
  /** Appends events of other contexts as they would have written them, under their own ids. */
  record(facts: readonly Fact[]): Promise<void>
  token(who: keyof typeof callers | Omit<Claims, 'jti' | 'client_id'>): Promise<string>
  close(): Promise<void>
}

export const callers = {
  staff: { sub: 'staff-1', role: 'institution_staff', institution },
  otherStaff: { sub: 'staff-2', role: 'institution_staff', institution: 'inst-130100-0099' },
  officer: { sub: 'officer-1', role: 'subsidy_officer', region: '1301' },
  officerElsewhere: { sub: 'officer-2', role: 'subsidy_officer', region: '1302' },
  reviewer: { sub: 'reviewer-1', role: 'reviewer', region: '1301' },
  thirdParty: { sub: 'tp-reviewer-1', role: 'reviewer', region: '13', institution: 'tp-hebei-007' },
  reviewerElsewhere: { sub: 'reviewer-2', role: 'reviewer', region: '1302' },
  finance: { sub: 'finance-1', role: 'finance', region: '1301' },
  financeElsewhere: { sub: 'finance-2', role: 'finance', region: '1302' },
  harbinFinance: { sub: 'finance-3', role: 'finance', region: '2301' },
  harbinOfficer: { sub: 'officer-3', role: 'subsidy_officer', region: '23' },
  harbinReviewer: { sub: 'reviewer-3', role: 'reviewer', region: '23' },
  investigator: { sub: 'investigator-1', role: 'investigator' },
  device: { sub: 'dev-1', role: 'device', class: 'cls-2021-0315' },
} as const satisfies Record<string, Omit<Claims, 'jti' | 'client_id'>>

export async function harness(): Promise<Harness> {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const platform = await testPlatform(pgliteExecutor(db))
  const keyRing = new KeyRing({ store: new MemoryKeyStore(), masterKey: generateMasterKey('subsidy-test') })
  await platform.app.register(subsidyService, {
    store,
    keyRing,
    pseudonymSecret,
    clock: () => clockAt,
    rules: [...seedRules, harbinTest],
  })
  await platform.app.ready()
  return {
    ...platform,
    store,
    db,
    keyRing,
    async record(facts) {
      for (const f of facts) {
        const event = { type: f.type, data: f.data } as DomainEventToAppend
        const meta = {
          id: f.id,
          occurredAt: '2021-05-20T09:00:00+08:00',
          actor: { kind: 'system' as const, id: 'fixture' },
          source: 'trec.fixture',
          region: '130102',
        }
        await store.append(streamFor(event), [toEventToAppend(event, meta)])
      }
    },
    token: (who) => platform.tokens.mint(typeof who === 'string' ? callers[who] : who),
    async close() {
      await platform.app.close()
      await store.close()
    },
  }
}
