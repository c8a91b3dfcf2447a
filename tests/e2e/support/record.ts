import { createHash } from 'node:crypto'
import { cardNumberCheckCharacter } from '@trec/privacy'
import { CompactSign, exportJWK, generateKeyPair } from 'jose'
import { expect } from 'vitest'
import type { Client, Who } from './client.ts'
import type { Answer, Json } from './http.ts'
import { type Occupation, programmeBody } from './programme.ts'

// The steps of a subsidised training as the parties take them over HTTP, each asserting that it
// was accepted so a broken step fails where it happens. Places and names are 石家庄 (130102,
// 长安区); dates fall inside the 石家庄 rule set's period (sjz-2019, 2019-10-15 – 2022-12-31).

export const region = '130102'

export const people = {
  admin: { sub: 'admin-1', role: 'admin' },
  officer: { sub: 'officer-1', role: 'subsidy_officer', region: '1301' },
  reviewer: { sub: 'reviewer-1', role: 'reviewer', region: '1301' },
  finance: { sub: 'finance-1', role: 'finance', region: '1301' },
  assessor: { sub: 'assessor-1', role: 'assessor', region: '13' },
  investigator: { sub: 'investigator-1', role: 'investigator' },
  /** Hebei's social-security card platform. */
  cardService: { sub: 'ssc-13', role: 'card_service', region: '13' },
  staff: (institution: string): Who => ({
    sub: `staff-${institution}`,
    role: 'institution_staff',
    institution,
  }),
  device: (device: string, cls: string): Who => ({ sub: device, role: 'device', device, class: cls }),
} as const

/** A valid citizen ID number (GB 11643) of someone born 1990-03-07 in 130102, by sequence 100–999. */
export function card(sequence: number): string {
  const first17 = `13010219900307${String(sequence).padStart(3, '0')}`
  return first17 + cardNumberCheckCharacter(first17)
}

/** A morning session on a day of 2021, in Beijing time. */
export function session(day: string, from = '08:30', to = '12:00') {
  return {
    start: `${day}T${from}:00+08:00`,
    end: `${day}T${to}:00+08:00`,
    venue: '长安区建设北大街88号实训楼301',
  }
}

export const templateHash = (seed: string) => createHash('sha256').update(seed).digest('hex')

export function accepted(res: Answer, status = 201): Json {
  expect(res.status, res.text).toBe(status)
  return res.body
}

export type { Occupation }

export const occupations = {
  electrician: { code: '6-31-01-03', title: '电工', level: 4 },
  welder: { code: '6-18-02-04', title: '焊工', level: 4 },
  cook: { code: '4-03-02-01', title: '中式烹调师', level: 4 },
  nursery: { code: '4-10-01-03', title: '育婴员', level: 4 },
} satisfies Record<string, Occupation>

export async function designate(http: Client, institution: string, uscc: string): Promise<void> {
  accepted(
    await http.post('/v1/institutions', people.admin, {
      institution,
      legalName: '石家庄市长安区新航职业培训学校',
      uscc,
      region,
      kinds: ['private_provider'],
      effectiveFrom: '2021-01-01',
    }),
  )
}

/** A 培训项目目录 entry of the occupation, open through 2021 unless another period is given. */
export async function publish(
  http: Client,
  o: Occupation,
  from = '2021-01-01',
  to = '2021-12-31',
): Promise<string> {
  return accepted(await http.post('/v1/programmes', people.officer, programmeBody(o, from, to))).programme
}

export interface OpenedClass {
  id: string
  institution: string
  sessions: { session: string; start: string; end: string }[]
}

/** 开班申请, 培训前审核 (passed, by the authority) and 开班. */
export async function openClass(
  http: Client,
  institution: string,
  programme: string,
  days: string[],
): Promise<OpenedClass> {
  const staff = people.staff(institution)
  const sessions = days.map((d) => session(d))
  const id = accepted(
    await http.post('/v1/classes', staff, {
      institution,
      programme,
      mode: 'offline',
      plannedHours: 3.5 * days.length,
      capacity: 30,
      sessions,
      teachers: [{ teacher: 'tch-130100-1187' }],
    }),
  ).class as string
  accepted(await http.post(`/v1/classes/${id}/review`, people.officer, { outcome: 'passed' }))
  accepted(await http.post(`/v1/classes/${id}/opening`, staff, {}))
  const view = accepted(await http.get(`/v1/classes/${id}`, staff), 200)
  expect(view.status).toBe('opened')
  return { id, institution, sessions: view.sessions }
}

/** The enrolment request after a passed real-name check, paying with `voucher` when given; answers as it comes. */
export function postEnrolment(
  http: Client,
  cls: OpenedClass,
  cardNumber: string,
  verifiedAt: string,
  voucher?: string,
): Promise<Answer> {
  return http.post(`/v1/classes/${cls.id}/enrolments`, people.staff(cls.institution), {
    cardNumber,
    name: '张建国',
    phone: '13912345678',
    ...(voucher === undefined ? {} : { voucher }),
    identity: {
      method: 'ssc_platform',
      platform: 'ssc-national',
      platformRef: `SSCP-${cls.id.slice(-8)}-${cardNumber.slice(-4)}`,
      result: 'passed',
      verifiedAt,
    },
  })
}

/** Enrolment after a passed real-name check (实名认证) on the national card platform; answers the pseudonym. */
export async function enrol(
  http: Client,
  cls: OpenedClass,
  cardNumber: string,
  verifiedAt: string,
  voucher?: string,
): Promise<string> {
  return accepted(await postEnrolment(http, cls, cardNumber, verifiedAt, voucher)).worker
}

export interface Device {
  id: string
  class: string
  sign(payload: unknown): Promise<string>
}

/** A face-check device with its own Ed25519 key pair, registered to a class by its institution. */
export async function registerDevice(http: Client, cls: OpenedClass, id: string): Promise<Device> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  accepted(
    await http.post('/v1/devices', people.staff(cls.institution), {
      device: id,
      class: cls.id,
      publicKey: await exportJWK(publicKey),
    }),
  )
  return { id, class: cls.id, sign: (payload) => signBatch(payload, id, privateKey) }
}

export function signBatch(
  payload: unknown,
  kid: string,
  key: Parameters<CompactSign['sign']>[0],
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .sign(key)
}

/** A passing, live 签到 check of a worker a few minutes into a session. */
export function faceCheck(worker: string, s: { session: string; start: string }, minutes = 3) {
  return {
    worker,
    session: s.session,
    checkedAt: new Date(Date.parse(s.start) + minutes * 60_000).toISOString(),
    purpose: 'sign_in',
    result: 'pass',
    matchScore: 0.93,
    liveness: { method: 'silent', score: 0.98, passed: true },
    place: { lat: 38.0428, lon: 114.5149 },
    templateHash: templateHash(`${worker}/${s.session}`),
  }
}

export function batchOf(device: Device, batchId: string, checks: unknown[]) {
  return { device: device.id, class: device.class, batchId, checks }
}

/** Signs and uploads one batch as the device; answers the ids of the FaceCheckRecorded events. */
export async function uploadChecks(http: Client, device: Device, batchId: string, checks: unknown[]) {
  const jws = await device.sign(batchOf(device, batchId, checks))
  return accepted(await http.post('/v1/face-check-batches', people.device(device.id, device.class), { jws }))
    .ids as string[]
}

export async function complete(http: Client, cls: OpenedClass, worker: string): Promise<void> {
  accepted(await http.post('/v1/completions', people.staff(cls.institution), { worker, class: cls.id }))
}

/**
 * A class as it is taught: a face-check device registered to it, every session's sign-in checks
 * of the workers who attend (one batch a session), and each of them completed.
 */
export async function attendAndComplete(
  http: Client,
  cls: OpenedClass,
  attend: string[],
  deviceId: string,
): Promise<void> {
  const device = await registerDevice(http, cls, deviceId)
  for (const s of cls.sessions)
    await uploadChecks(
      http,
      device,
      `b-${cls.id.slice(-6)}-${s.session}`,
      attend.map((worker) => faceCheck(worker, s)),
    )
  for (const worker of attend) await complete(http, cls, worker)
}

/** A passed 职业技能等级认定 and its certificate (职业技能等级证书); answers the certificate id. */
export async function certify(
  http: Client,
  worker: string,
  o: Occupation,
  serial: string,
  on: { assessedOn: string; issuedOn: string; class?: string },
): Promise<string> {
  const evaluator = { kind: 'social_evaluation_org', id: 'eval-130000-0009' }
  accepted(
    await http.post('/v1/assessment-results', people.assessor, {
      worker,
      ...(on.class ? { class: on.class } : {}),
      region,
      occupationCode: o.code,
      level: o.level,
      score: 86,
      passed: true,
      evaluator,
      assessedOn: on.assessedOn,
    }),
  )
  return accepted(
    await http.post('/v1/certificates', people.assessor, {
      worker,
      kind: 'skill_level',
      issuer: evaluator,
      serial,
      region,
      occupationCode: o.code,
      level: o.level,
      issuedOn: on.issuedOn,
    }),
  ).certificate
}

/** The unemployment-insurance months the social-insurance system reports (D2: ≥ 12 for 技能提升补贴). */
export async function attestContributions(http: Client, worker: string, months = 27): Promise<void> {
  accepted(
    await http.post(`/v1/workers/${worker}/contribution-history`, people.officer, {
      region,
      months,
      asOf: '2021-06-01',
      enterpriseEmployee: true,
      source: { system: 'hebei-jinbao', ref: `SI-Q-${worker.slice(0, 8)}` },
    }),
  )
}

/**
 * The card service registers the account of a worker's social-security card (持卡领补), the only
 * account the worker's subsidies are paid to. Answers the worker's pseudonym.
 */
export async function registerCardAccount(
  http: Client,
  cardNumber: string,
  bankAccount = '6217000130000123456',
): Promise<string> {
  return accepted(
    await http.post('/v1/card-accounts', people.cardService, {
      cardNumber,
      bankAccount,
      bank: 'ICBC',
      source: { system: 'hebei-ssc', ref: `REG-${bankAccount.slice(-6)}` },
    }),
  ).worker as string
}

/** A provider's 职业培训补贴 claim for a worker it trained in a class. */
export function trainingClaim(cls: OpenedClass, worker: string, amount = 220_000) {
  return {
    worker,
    region,
    kind: 'training',
    payee: { kind: 'provider', id: cls.institution },
    amount,
    class: cls.id,
  }
}

/** A 技能提升补贴 claim an officer makes for the worker, to be paid to the worker's card. */
export function skillUpgradeClaim(worker: string, certificate?: string, amount = 150_000) {
  return {
    worker,
    region,
    kind: 'skill_upgrade',
    payee: { kind: 'worker', id: worker },
    amount,
    ...(certificate ? { certificate } : {}),
  }
}

/** A submitted claim reviewed, approved by the officer and paid by finance under `paymentRef`. */
export async function approveAndPay(http: Client, claim: string, paymentRef: string): Promise<void> {
  accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
  accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
  accepted(await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef }))
}
