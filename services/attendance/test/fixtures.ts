import { createHash } from 'node:crypto'
import {
  type DomainEventToAppend,
  type EventData,
  type EventDataToAppend,
  toEventToAppend,
} from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import type { FaceCheck, FaceCheckBatch } from '../src/domain/batch-payload.ts'
import type { LearningBatch } from '../src/domain/learning-batch.ts'

// A class in 石家庄 (长安区, 130102) run by a private provider, two sessions on 2024-04-08, and
// pseudonymous workers; the training service's events for it are written here as that service
// would write them (attendance reads them, never writes them).

export const region = '130102'
export const institution = 'inst-130100-0042'
export const classId = 'cls-2024-0315'
export const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** A stable pseudonym for the n-th worker (32 lowercase hex). */
export function pseudonym(n: number): string {
  return createHash('sha256').update(`worker-${n}`).digest('hex').slice(0, 32)
}

export const roster = Array.from({ length: 40 }, (_, i) => pseudonym(i))
export const stranger = pseudonym(999)

export const sessions = [
  { session: 'ses-01', start: '2024-04-08T08:30:00+08:00', end: '2024-04-08T11:30:00+08:00' },
  { session: 'ses-02', start: '2024-04-08T14:00:00+08:00', end: '2024-04-08T17:00:00+08:00' },
]

export function applied(
  over: Partial<EventDataToAppend<'ClassOpeningApplied'>> = {},
): EventDataToAppend<'ClassOpeningApplied'> {
  return {
    class: classId,
    institution,
    programme: 'prog-130100-2024-0107',
    region,
    mode: 'offline',
    route: 'designated_institution',
    plannedStart: '2024-04-08',
    plannedEnd: '2024-05-17',
    plannedHours: 120,
    capacity: 40,
    sessions: opened().sessions,
    teachers: opened().teachers,
    ...over,
  }
}

export function opened(over: Partial<EventData<'ClassOpened'>> = {}): EventData<'ClassOpened'> {
  return {
    class: classId,
    institution,
    sessions: sessions.map((s) => ({
      ...s,
      venue: '长安区建设北大街88号实训楼301',
      mode: 'offline' as const,
    })),
    teachers: [{ teacher: 'tch-130100-1187', role: 'both' }],
    roster,
    ...over,
  }
}

export function designated(
  id: string,
  kinds: EventData<'InstitutionDesignated'>['kinds'],
): EventData<'InstitutionDesignated'> {
  return {
    institution: id,
    legalName: '河北职业技能在线学习平台有限公司',
    uscc: '52130100MJ0123456N',
    region,
    kinds,
    effectiveFrom: '2024-01-01',
  }
}

/** Appends events as the training service would (actor, source, region), at `occurredAt`. */
export async function seed(
  store: EventStore,
  stream: string,
  events: DomainEventToAppend[],
  occurredAt = '2024-04-01T09:00:00+08:00',
): Promise<void> {
  const meta = { occurredAt, actor: { kind: 'admin' as const, id: 'seed' }, source: 'trec.training', region }
  await store.append(
    stream,
    events.map((e) => toEventToAppend(e, meta)),
  )
}

/** Opens the standard class in the store (applied, opened). */
export async function seedClass(
  store: EventStore,
  over: Partial<EventData<'ClassOpened'>> = {},
): Promise<void> {
  const id = over.class ?? classId
  await seed(store, `class-${id}`, [
    { type: 'ClassOpeningApplied', data: applied({ class: id }) },
    { type: 'ClassOpened', data: opened({ ...over, class: id }) },
  ])
}

export function faceCheck(n: number, over: Partial<FaceCheck> = {}): FaceCheck {
  const session = sessions[n % 2]!
  const start = Date.parse(session.start)
  return {
    worker: roster[n % roster.length]!,
    session: session.session,
    checkedAt: new Date(start - 10 * 60_000 + (n % 600) * 1000).toISOString(),
    purpose: 'sign_in',
    result: 'pass',
    matchScore: 0.93,
    liveness: { method: 'silent', score: 0.98, passed: true },
    place: { lat: 38.0428, lon: 114.5149 },
    templateHash: hash,
    ...over,
  }
}

export function batchOf(device: string, batchId: string, count: number, first = 0): FaceCheckBatch {
  return {
    device,
    class: classId,
    batchId,
    checks: Array.from({ length: count }, (_, i) => faceCheck(first + i)),
  }
}

export interface DeviceKey {
  algorithm: 'EdDSA' | 'ES256'
  publicJwk: JWK
  thumbprint: string
  sign(payload: unknown, header?: Record<string, unknown>): Promise<string>
}

/** A device key pair; `sign` makes the compact JWS a device sends, `kid` = the device id. */
export async function deviceKey(kid: string, algorithm: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return {
    algorithm,
    publicJwk,
    thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256'),
    sign: (payload, header = {}) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: algorithm, kid, ...header })
        .sign(privateKey),
  }
}

/** A JWS with `alg: none` and no signature (RFC 7515 §A.5 style). */
export function unsignedJws(payload: unknown, kid: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'none', kid })}.${b64(payload)}.`
}

/** An online class: applied and opened online, its sessions online on the platform `platform`. */
export async function seedOnlineClass(store: EventStore, id: string, platform = institution): Promise<void> {
  await seed(store, `class-${id}`, [
    { type: 'ClassOpeningApplied', data: applied({ class: id, mode: 'online' }) },
    {
      type: 'ClassOpened',
      data: opened({
        class: id,
        sessions: sessions.map((s) => ({ ...s, venue: platform, mode: 'online' as const })),
      }),
    },
  ])
}

/**
 * A platform's batch for `workers`: each learns session 1 in 30-minute segments with a passing
 * spot check at every segment's edge (what an honest learner's record looks like).
 */
export function learningBatchOf(
  device: string,
  cls: string,
  batchId: string,
  workers: readonly string[],
): LearningBatch {
  const start = Date.parse(sessions[0]!.start)
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString()
  const batch: LearningBatch = { device, class: cls, batchId, segments: [], checks: [] }
  for (const worker of workers) {
    for (let k = 0; k < 6; k++)
      batch.segments.push({
        worker,
        lesson: `les-${k + 1}`,
        start: at(30 * k),
        end: at(30 * (k + 1)),
        progress: (k + 1) / 6,
        playbackRate: 1,
        interactions: 3,
        clientFingerprint: hash,
      })
    for (let k = 0; k <= 6; k++)
      batch.checks.push({ ...faceCheck(0, { worker, checkedAt: at(30 * k), purpose: 'spot' }) })
  }
  return batch
}
