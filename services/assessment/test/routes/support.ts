import { PGlite } from '@electric-sql/pglite'
import { type DomainEventToAppend, streamFor, toEventToAppend } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import type { Platform } from '@trec/fastify-kit'
import { type TestTokens, testPlatform } from '@trec/fastify-kit/testing'
import { type AssessmentOptions, assessmentService } from '../../src/index.ts'
import { classId, institution, region, schedule, worker } from '../fixtures.ts'

// The service on a real platform (signed tokens, problem+json, idempotency) over an in-memory
// PGlite store, with a fixed clock: 2024-06-10 09:00 in 石家庄.

export const now = new Date('2024-06-10T01:00:00.000Z')

export interface Harness {
  app: Platform
  tokens: TestTokens
  store: EventStore
  close(): Promise<void>
}

export async function harness(options: Partial<AssessmentOptions> = {}): Promise<Harness> {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const { app, tokens } = await testPlatform(pgliteExecutor(db))
  await app.register(assessmentService, { store, clock: () => now, ...options })
  await app.ready()
  return { app, tokens, store, close: () => app.close().then(() => store.close()) }
}

/** Appends other contexts' events as those services would have (a test's given history). */
export async function seed(store: EventStore, ...events: DomainEventToAppend[]): Promise<string[]> {
  const ids: string[] = []
  for (const event of events) {
    const stored = toEventToAppend(event, {
      occurredAt: '2024-04-01T09:00:00+08:00',
      actor: { kind: 'institution_staff', id: 'staff-1', institution },
      source: 'trec.training',
      region,
    })
    await store.append(streamFor(event), [stored])
    ids.push(stored.id)
  }
  return ids
}

const sessions = schedule.map((s) => ({ ...s, venue: '长安区建设北大街88号实训楼301' }))
const teachers = [{ teacher: 'tch-130100-1187', role: 'both' as const }]
const sealed = {
  sealed: 'A256GCM' as const,
  kid: 'wk-1',
  iv: 'k3Jq9xVb0aLmP2sT',
  ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
}

/** An opened and closed class with the worker enrolled and verified, and a sign-in for each offline session. */
export async function seedTrainedWorker(store: EventStore, w = worker, c = classId): Promise<string[]> {
  await seed(
    store,
    {
      type: 'ClassOpeningApplied',
      data: {
        class: c,
        institution,
        programme: 'prog-130100-2024-0107',
        region,
        mode: 'blended',
        route: 'designated_institution',
        plannedStart: '2024-04-08',
        plannedEnd: '2024-04-12',
        plannedHours: 14,
        capacity: 40,
        sessions,
        teachers,
      },
    },
    { type: 'ClassOpened', data: { class: c, institution, sessions, teachers, roster: [w] } },
    { type: 'ClassClosed', data: { class: c, reason: 'completed' } },
    { type: 'WorkerEnrolled', data: { worker: w, class: c, institution, name: sealed, idNumber: sealed } },
    {
      type: 'IdentityVerified',
      data: {
        worker: w,
        class: c,
        method: 'ssc_platform',
        platformRef: 'SSCP-20240408-000193',
        result: 'verified',
        verifiedBy: { kind: 'platform', id: 'ssc-national' },
      },
    },
  )
  const checks = schedule
    .filter((s) => s.mode === 'offline')
    .map(
      (s): DomainEventToAppend => ({
        type: 'FaceCheckRecorded',
        data: {
          worker: w,
          class: c,
          session: s.session,
          device: 'dev-fc-0031',
          checkedAt: new Date(Date.parse(s.start) - 5 * 60_000).toISOString(),
          purpose: 'sign_in',
          result: 'pass',
          matchScore: 0.93,
          liveness: { method: 'silent', score: 0.98, passed: true },
          templateHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
      }),
    )
  return seed(store, ...checks)
}

export async function send(
  h: Harness,
  method: 'GET' | 'POST',
  url: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return h.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  })
}

export const failedRules = (res: { json(): unknown }) =>
  ((res.json() as { reasons?: { rule: string }[] }).reasons ?? []).map((r) => r.rule).sort()

export const errorPaths = (res: { json(): unknown }) =>
  ((res.json() as { errors?: { path: unknown[] }[] }).errors ?? []).map((e) => e.path.join('.'))
