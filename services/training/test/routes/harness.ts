import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import type { Claims } from '@trec/fastify-kit'
import { buildPlatform } from '@trec/fastify-kit'
import { testTokens } from '@trec/fastify-kit/testing'
import { cardNumberCheckCharacter, generateMasterKey, KeyRing, MemoryKeyStore } from '@trec/privacy'
import { type TrainingOptions, trainingService } from '../../src/index.ts'

// One platform per test file, as the app runs it: a PGlite store shared with the idempotency
// table, real signed tokens, the log written to `lines` so tests can look for personal data in
// it. The clock starts at 2024-04-01 09:00 Beijing time and can be moved.

export const pseudonymSecret = 'training-test-secret-of-at-least-32-bytes'
export const start = new Date('2024-04-01T01:00:00.000Z')

/** A valid citizen ID number (GB 11643) of someone born 1990-03-07 in 130102, by sequence 100–999. */
export function card(sequence: number): string {
  const first17 = `13010219900307${String(sequence).padStart(3, '0')}`
  return first17 + cardNumberCheckCharacter(first17)
}

export type Who = Omit<Claims, 'jti' | 'client_id'>

export const people = {
  staff: { sub: 'staff-1', role: 'institution_staff', institution: 'inst-1' },
  otherStaff: { sub: 'staff-9', role: 'institution_staff', institution: 'inst-9' },
  officer: { sub: 'officer-7', role: 'subsidy_officer', region: '1301' },
  otherOfficer: { sub: 'officer-8', role: 'subsidy_officer', region: '1302' },
  admin: { sub: 'admin-1', role: 'admin' },
  reviewer: { sub: 'tp-hebei-007', role: 'reviewer', region: '13' },
  assessor: { sub: 'asr-1', role: 'assessor', region: '13' },
  otherAssessor: { sub: 'asr-9', role: 'assessor', region: '14' },
  cardService: { sub: 'ssc-1', role: 'card_service' },
} satisfies Record<string, Who>

export async function harness(options: Partial<TrainingOptions> = {}) {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const tokens = await testTokens()
  const lines: string[] = []
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db: pgliteExecutor(db),
    logLevel: 'info',
    logSink: { write: (line) => lines.push(line) },
  })
  const keyStore = new MemoryKeyStore()
  const keyRing = new KeyRing({ store: keyStore, masterKey: generateMasterKey('test-master') })
  const clock = { now: new Date(start) }
  await app.register(trainingService, { store, keyRing, pseudonymSecret, clock: () => clock.now, ...options })
  await app.ready()

  async function send(
    method: 'GET' | 'POST',
    url: string,
    who: Who | undefined,
    body?: unknown,
    key?: string,
  ) {
    const headers: Record<string, string> = {}
    if (who) headers.authorization = `Bearer ${await tokens.mint(who)}`
    if (key) headers['idempotency-key'] = key
    return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) })
  }

  return {
    app,
    store,
    keyRing,
    keyStore,
    tokens,
    lines,
    clock,
    post: (url: string, who: Who | undefined, body?: unknown, key?: string) =>
      send('POST', url, who, body, key),
    get: (url: string, who: Who | undefined) => send('GET', url, who),
    async close() {
      await app.close()
      await store.close()
    },
  }
}

export type Harness = Awaited<ReturnType<typeof harness>>
