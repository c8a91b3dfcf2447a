import { createHash } from 'node:crypto'
import { chinaDay } from '@trec/core'
import { cardNumberCheckCharacter } from '@trec/privacy'
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose'
import { programmeBody } from '../e2e/support/programme.ts'
import type { Who } from './client.ts'

// The bodies of the commands the load sends: the subsidised-training flow of the e2e suite
// (tests/e2e/support/record.ts), dated by the wall clock since the services run on it. A class's
// sessions start a little after it is applied for (a session may not have begun at 开班申请) and
// last seconds, so its completions can follow within the run; face checks are taken at a session's
// start, which the attendance service accepts ahead of its clock within the allowed device skew.

export const region = '130102'

export const people = {
  admin: { sub: 'chaos-admin', role: 'admin' },
  officer: { sub: 'chaos-officer', role: 'subsidy_officer', region: '1301' },
  assessor: { sub: 'chaos-assessor', role: 'assessor', region: '13' },
  auditor: { sub: 'chaos-auditor', role: 'auditor' },
  staff: (institution: string): Who => ({
    sub: `staff-${institution}`,
    role: 'institution_staff',
    institution,
  }),
  device: (device: string, cls: string): Who => ({ sub: device, role: 'device', device, class: cls }),
} satisfies Record<string, Who | ((...a: string[]) => Who)>

export const occupations = [
  { code: '6-31-01-03', title: '电工', level: 4 },
  { code: '6-18-02-04', title: '焊工', level: 4 },
  { code: '4-03-02-01', title: '中式烹调师', level: 4 },
  { code: '4-10-01-03', title: '育婴员', level: 4 },
] as const
export type Occupation = (typeof occupations)[number]

export const evaluator = { kind: 'social_evaluation_org', id: 'eval-130000-0009' } as const

const dayMs = 86_400_000
/** The calendar day in China (UTC+8) of an instant. */
export const chinaDate = (ms: number) => chinaDay(ms)

/** A valid citizen ID number (GB 11643) of someone born in 130102; distinct for each n. */
export function card(n: number): string {
  const born = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 900) * dayMs).toISOString().slice(0, 10)
  const first17 = `${region}${born.replaceAll('-', '')}${String(100 + (n % 900))}`
  return first17 + cardNumberCheckCharacter(first17)
}

const surnames = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄']
const given = ['建国', '立军', '秀英', '桂兰', '志强', '海燕', '晓东', '春梅']

export function designation(institution: string, now: number) {
  return {
    institution,
    legalName: `石家庄市长安区新航职业培训学校${institution.slice(-4)}`,
    uscc: '52130100MJ0123456N',
    region,
    kinds: ['private_provider'],
    effectiveFrom: chinaDate(now - 2 * dayMs),
  }
}

export function programme(o: Occupation, now: number) {
  return programmeBody(o, chinaDate(now - 2 * dayMs), chinaDate(now + 60 * dayMs))
}

export interface Schedule {
  start: string
  end: string
  venue: string
}

/** Two sessions of `lengthMs`, the first `leadMs` from now. */
export function schedule(now: number, leadMs: number, lengthMs: number): Schedule[] {
  const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString()
  const venue = '长安区建设北大街88号实训楼301'
  const first = now + leadMs
  const second = first + lengthMs + 5000
  return [
    { start: at(first), end: at(first + lengthMs), venue },
    { start: at(second), end: at(second + lengthMs), venue },
  ]
}

export function application(institution: string, programmeId: string, sessions: Schedule[]) {
  return {
    institution,
    programme: programmeId,
    mode: 'offline',
    plannedHours: 1,
    capacity: 30,
    sessions,
    teachers: [{ teacher: 'tch-130100-1187' }],
  }
}

export function enrolment(n: number, cls: string, now: number) {
  const cardNumber = card(n)
  return {
    cardNumber,
    name: surnames[n % surnames.length]! + given[Math.floor(n / surnames.length) % given.length]!,
    phone: `139${String(10_000_000 + (n % 90_000_000)).slice(-8)}`,
    identity: {
      method: 'ssc_platform',
      platform: 'ssc-national',
      platformRef: `SSCP-${cls.slice(-8)}-${cardNumber.slice(-6)}`,
      result: 'passed',
      verifiedAt: new Date(now - 60_000).toISOString(),
    },
  }
}

export interface Device {
  id: string
  class: string
  publicKey: JWK
  sign(payload: unknown): Promise<string>
}

export async function newDevice(id: string, cls: string): Promise<Device> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  return {
    id,
    class: cls,
    publicKey: await exportJWK(publicKey),
    sign: (payload) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid: id })
        .sign(privateKey),
  }
}

/** A passing, live 签到 check of a worker at a session's start. */
export function faceCheck(worker: string, session: { session: string; start: string }) {
  return {
    worker,
    session: session.session,
    checkedAt: new Date(Date.parse(session.start) + 1000).toISOString(),
    purpose: 'sign_in',
    result: 'pass',
    matchScore: 0.93,
    liveness: { method: 'silent', score: 0.98, passed: true },
    place: { lat: 38.0428, lon: 114.5149 },
    templateHash: createHash('sha256').update(`${worker}/${session.session}`).digest('hex'),
  }
}

export function assessmentResult(worker: string, cls: string, o: Occupation, now: number) {
  return {
    worker,
    class: cls,
    region,
    occupationCode: o.code,
    level: o.level,
    score: 86,
    passed: true,
    evaluator,
    assessedOn: chinaDate(now),
  }
}

export function certificate(worker: string, serial: string, o: Occupation, now: number) {
  return {
    worker,
    kind: 'skill_level',
    issuer: evaluator,
    serial,
    region,
    occupationCode: o.code,
    level: o.level,
    issuedOn: chinaDate(now),
  }
}

export function contributions(worker: string, now: number) {
  return {
    region,
    months: 12 + (worker.charCodeAt(0) % 24),
    asOf: chinaDate(now),
    enterpriseEmployee: true,
    source: { system: 'hebei-jinbao', ref: `SI-Q-${worker.slice(0, 8)}` },
  }
}

export function trainingClaim(institution: string, cls: string, worker: string) {
  return {
    worker,
    region,
    kind: 'training',
    payee: { kind: 'provider', id: institution },
    amount: 220_000,
    class: cls,
  }
}
