import { PGlite } from '@electric-sql/pglite'
import { decodeRecorded } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { buildPlatform, type Claims, type Platform } from '@trec/fastify-kit'
import { type TestTokens, testTokens } from '@trec/fastify-kit/testing'
import { cardNumberCheckCharacter, createPseudonymizer } from '@trec/privacy'
import { type ProjectionRunner, storeFeedSource } from '@trec/projections'
import type { FoldEvent } from '@trec/readmodels'
import { appendRecord, type GeneratedRecord, generateRecord } from '@trec/readmodels/testing'
import { archiveService, type ReadThenAppend } from '../src/index.ts'

// The archive service on the real platform (signed tokens, problem+json, the redacting logger
// with every line captured) over an embedded PostgreSQL holding both the store and the read model.

export const pseudonymSecret = 'test-only-pseudonym-secret-0123456789abcdef'
export const pseudonymizer = createPseudonymizer(pseudonymSecret)

/** A valid card number (GB 11643-1999) for a test person, from 17 digits. */
export const cardNumber = (first17: string) => `${first17}${cardNumberCheckCharacter(first17)}`
export const cards = [
  '11010119900307123',
  '13010219851124004',
  '13060219770615032',
  '13010219920228011',
  '13060219880101046',
].map(cardNumber)

export const callers = {
  cardService: { sub: 'ssc-platform', role: 'card_service' },
  investigator: { sub: 'inv-1', role: 'investigator' },
  auditor: { sub: 'aud-1', role: 'auditor' },
  finance: { sub: 'fin-1', role: 'finance', region: '1301' },
} as const satisfies Record<string, Omit<Claims, 'jti' | 'client_id'>>

/** Every event in the store, decoded, as the folds read them. */
export async function storedEvents(store: EventStore): Promise<FoldEvent[]> {
  return (await store.readAll({ maxCount: 1_000_000 })).map((e) => decodeRecorded(e))
}

export interface Harness {
  app: Platform
  store: EventStore
  db: SqlExecutor
  tokens: TestTokens
  lines: string[]
  record: GeneratedRecord
  token(who: keyof typeof callers): Promise<string>
  /** Runs the archive projection until it has read everything in the store. */
  catchUp(): Promise<void>
  runner: ProjectionRunner
  close(): Promise<void>
}

export interface HarnessOptions {
  /** Wraps the store the service appends to (to make it fail). */
  store?: (store: EventStore) => EventStore
  workers?: number
  /** Stands for the store's one-statement read and append (to make it fail). */
  readThenAppend?: (store: ReadThenAppend) => ReadThenAppend
  /** Runs on the app before it is ready (to add hooks). */
  beforeReady?: (app: Platform, store: EventStore) => void
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const pg = new PGlite()
  const realStore = await openPGliteEventStore({ db: pg })
  const store = options.store ? options.store(realStore) : realStore
  const db = pgliteExecutor(pg)
  const tokens = await testTokens()
  const lines: string[] = []
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db,
    logLevel: 'trace',
    logSink: { write: (line) => void lines.push(line) },
  })
  // The store is in the read model's database: lookups read and log in one statement, unless a
  // test wraps the store (then the read and the append go apart, through the wrapper).
  const readThenAppend = options.readThenAppend
    ? options.readThenAppend(realStore)
    : options.store
      ? undefined
      : realStore
  await app.register(archiveService, {
    store,
    db,
    pseudonymSecret,
    region: '130000',
    ...(readThenAppend ? { readThenAppend } : {}),
  })
  options.beforeReady?.(app, realStore)
  await app.ready()
  const record = generateRecord({
    workers: options.workers ?? 6,
    seed: 11,
    faultRate: 0.2,
    pseudonyms: cards.map((c) => pseudonymizer.pseudonym(c)),
  })
  await appendRecord(realStore, record)
  const { ProjectionRunner } = await import('@trec/projections')
  const { archiveProjection } = await import('../src/index.ts')
  const runner = new ProjectionRunner(db, archiveProjection)
  await runner.setup()
  const catchUp = async () => {
    const controller = new AbortController()
    await storeFeedSource(realStore).run(runner, {
      signal: controller.signal,
      onCaughtUp: () => controller.abort(),
    })
  }
  await catchUp()
  return {
    app,
    store: realStore,
    db,
    tokens,
    lines,
    record,
    runner,
    catchUp,
    token: (who) => tokens.mint(callers[who]),
    async close() {
      await app.close()
      await realStore.close()
    },
  }
}
