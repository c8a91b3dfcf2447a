import { randomBytes } from 'node:crypto'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import type { Claims } from '@trec/fastify-kit'
import { testTokens } from '@trec/fastify-kit/testing'
import { type AppOptions, buildApp } from '../src/app.ts'
import { Metrics } from '../src/metrics.ts'
import { Readiness } from '../src/readiness.ts'

export type Who = Omit<Claims, 'jti' | 'client_id'> & { client_id?: string }

/**
 * The composed app as main.ts builds it, on an in-memory PGlite, with real signed tokens and
 * every log line kept in `lines`. The clock is fixed at 2024-04-01 09:00 Beijing time unless
 * the options give another.
 */
export async function appHarness(options: Partial<AppOptions> = {}) {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const tokens = await testTokens()
  const lines: string[] = []
  const metrics = options.metrics ?? new Metrics({ processMetrics: false })
  const readiness = options.readiness ?? new Readiness()
  const app = await buildApp({
    runtime: { store, sql: pgliteExecutor(db), client: db, close: () => store.close() },
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    // The training service is enough for these tests and keeps each app quick to build.
    services: ['training'],
    pseudonymSecret: randomBytes(32).toString('hex'),
    masterKey: { kid: 'test', key: randomBytes(32) },
    logLevel: 'info',
    logSink: { write: (line) => lines.push(line) },
    clock: () => new Date('2024-04-01T01:00:00.000Z'),
    storeKind: 'pglite',
    ...options,
    metrics,
    readiness,
  })
  await app.ready()
  const bearer = new Map<string, string>()
  async function token(who: Who): Promise<string> {
    const key = JSON.stringify(who)
    let t = bearer.get(key)
    if (!t) {
      t = await tokens.mint(who as Omit<Claims, 'jti' | 'client_id'>)
      bearer.set(key, t)
    }
    return t
  }
  async function send(method: 'GET' | 'POST', url: string, who?: Who, body?: unknown) {
    const headers: Record<string, string> = {}
    if (who) headers.authorization = `Bearer ${await token(who)}`
    return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) })
  }
  return {
    app,
    db,
    store,
    tokens,
    lines,
    metrics,
    readiness,
    /** Every bearer token minted so far, to look for in logs. */
    minted: () => [...bearer.values()],
    post: (url: string, who: Who | undefined, body?: unknown) => send('POST', url, who, body),
    get: (url: string, who?: Who) => send('GET', url, who),
    close: () => app.close(),
  }
}

export type AppHarness = Awaited<ReturnType<typeof appHarness>>

export const people = {
  admin: { sub: 'admin-1', role: 'admin' },
  officer: { sub: 'officer-7', role: 'subsidy_officer', region: '1301' },
  staff: { sub: 'staff-1', role: 'institution_staff', institution: 'inst-1' },
  otherStaff: { sub: 'staff-9', role: 'institution_staff', institution: 'inst-9' },
} satisfies Record<string, Who>

export const designation = {
  institution: 'inst-1',
  legalName: '石家庄市长安区新航职业培训学校',
  uscc: '52130100MJ0123456N',
  region: '130102',
  kinds: ['private_provider'],
  effectiveFrom: '2024-03-01',
}

export const programme = {
  region: '130100',
  occupationCode: '6-31-01-03',
  occupationTitle: '电工',
  level: 4,
  subsidyKind: 'training',
  amount: 250_000,
  shortage: true,
  effectiveFrom: '2024-01-01',
  effectiveTo: '2024-12-31',
}

const session = (day: string) => ({
  start: `${day}T08:30:00+08:00`,
  end: `${day}T11:30:00+08:00`,
  venue: '长安区建设北大街88号实训楼301',
})

export const application = (programmeId: string) => ({
  institution: 'inst-1',
  programme: programmeId,
  mode: 'offline',
  plannedHours: 6,
  capacity: 30,
  sessions: [session('2024-04-08'), session('2024-04-09')],
  teachers: [{ teacher: 'tch-130100-1187' }],
})
