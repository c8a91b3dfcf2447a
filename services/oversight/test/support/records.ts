import { createHash } from 'node:crypto'
import type { EventDataToAppend } from '@trec/contracts'
import type { History } from './history.ts'

// Building blocks for the rule tests: a claim, a certificate, a class with sessions, a face check,
// each with the defaults of a plain, honest record, so a test states only what its rule reads.

export const ruleSet = { id: 'sjz-2019', version: 1 }

export function claim(
  h: History,
  worker: string,
  claim: string,
  over: Partial<EventDataToAppend<'SubsidyClaimSubmitted'>> = {},
) {
  return h.add(
    'SubsidyClaimSubmitted',
    {
      claim,
      worker,
      region: '130102',
      kind: 'training',
      payee: { kind: 'provider', id: 'inst-1' },
      amount: 150_000,
      claimedOn: '2024-05-10',
      ruleSet,
      occupationCode: '6-31-01-03',
      level: 4,
      ...over,
    },
    { at: `${over.claimedOn ?? '2024-05-10'}T10:00:00+08:00` },
  )
}

export function reject(h: History, worker: string, claim: string) {
  return h.add('SubsidyClaimDecided', {
    claim,
    worker,
    outcome: 'rejected',
    reasons: ['duplicate'],
    ruleSet,
  })
}

export function certificate(
  h: History,
  worker: string,
  certificate: string,
  over: Partial<EventDataToAppend<'CertificateIssued'>> = {},
) {
  return h.add('CertificateIssued', {
    worker,
    certificate,
    kind: 'skill_level',
    issuer: { kind: 'social_evaluation_org', id: 'eval-1' },
    serial: `S-${certificate}`,
    occupationCode: '6-31-01-03',
    level: 4,
    issuedOn: '2024-05-01',
    ...over,
  })
}

/** Sessions of 3 hours from 09:00 (UTC+8) on consecutive days from `firstDay`. */
export function sessions(count: number, firstDay = '2024-04-08', mode: 'offline' | 'online' = 'offline') {
  const start = Date.parse(`${firstDay}T09:00:00+08:00`)
  return Array.from({ length: count }, (_, i) => ({
    session: `s${i + 1}`,
    start: new Date(start + i * 86_400_000).toISOString(),
    end: new Date(start + i * 86_400_000 + 3 * 3_600_000).toISOString(),
    venue: 'venue-1',
    mode,
  }))
}

export function openClass(
  h: History,
  cls: string,
  schedule: ReturnType<typeof sessions>,
  institution = 'inst-1',
) {
  // Its own teacher and room, as an honest class has (a shared one at the same time is R5's).
  return h.add('ClassOpened', {
    class: cls,
    institution,
    sessions: schedule.map((s) => ({ ...s, venue: `${s.venue} ${cls}` })),
    teachers: [{ teacher: `t-${cls}`, role: 'both' }],
    roster: [],
  })
}

export const shijiazhuang = { lat: 38.0428, lon: 114.5149 }
export const baoding = { lat: 38.8739, lon: 115.4646 }

export function faceCheck(
  h: History,
  worker: string,
  cls: string,
  session: string,
  checkedAt: string,
  over: Partial<EventDataToAppend<'FaceCheckRecorded'>> = {},
) {
  return h.add(
    'FaceCheckRecorded',
    {
      worker,
      class: cls,
      session,
      device: `dev-${cls}`,
      checkedAt,
      purpose: 'sign_in',
      result: 'pass',
      matchScore: 0.93,
      liveness: { method: 'silent', score: 0.97, passed: true },
      place: shijiazhuang,
      templateHash: templateOf(worker),
      ...over,
    },
    { at: checkedAt },
  )
}

/** The hash of a worker's own enrolled face template. */
export function templateOf(worker: string): string {
  return createHash('sha256').update(`template:${worker}`).digest('hex')
}
