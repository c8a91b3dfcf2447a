import { expect } from 'vitest'
import { card, type Harness, people } from './harness.ts'

// The steps most tests start from, each asserting it worked so a broken step fails where it is.

export const designation = {
  institution: 'inst-1',
  legalName: '石家庄市长安区新航职业培训学校',
  uscc: '52130100MJ0123456N',
  region: '130102',
  kinds: ['private_provider'],
  effectiveFrom: '2024-03-01',
}

export const programmeBody = {
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

export const session = (day: string, from = '08:30', to = '11:30') => ({
  start: `${day}T${from}:00+08:00`,
  end: `${day}T${to}:00+08:00`,
  venue: '长安区建设北大街88号实训楼301',
})

export function applicationBody(programme: string, over: Record<string, unknown> = {}) {
  return {
    institution: 'inst-1',
    programme,
    mode: 'offline',
    plannedHours: 6,
    capacity: 30,
    sessions: [session('2024-04-08'), session('2024-04-09')],
    teachers: [{ teacher: 'tch-130100-1187' }],
    ...over,
  }
}

export function enrolmentBody(cardNumber = card(123), over: Record<string, unknown> = {}) {
  return {
    cardNumber,
    name: '张三',
    phone: '13912345678',
    identity: {
      method: 'ssc_platform',
      platform: 'ssc-national',
      platformRef: `SSCP-${cardNumber.slice(-4)}-${Math.random().toString(36).slice(2, 8)}`,
      result: 'passed',
      verifiedAt: '2024-04-01T08:30:00+08:00',
    },
    ...over,
  }
}

export async function designate(h: Harness, over: Record<string, unknown> = {}) {
  const res = await h.post('/v1/institutions', people.admin, { ...designation, ...over })
  expect(res.statusCode, res.body).toBe(201)
}

export async function publish(h: Harness, over: Record<string, unknown> = {}): Promise<string> {
  const res = await h.post('/v1/programmes', people.officer, { ...programmeBody, ...over })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().programme
}

export async function apply(
  h: Harness,
  programme: string,
  over: Record<string, unknown> = {},
): Promise<string> {
  const res = await h.post('/v1/classes', people.staff, applicationBody(programme, over))
  expect(res.statusCode, res.body).toBe(201)
  return res.json().class
}

export async function approveAndOpen(h: Harness, classId: string) {
  const reviewed = await h.post(`/v1/classes/${classId}/review`, people.officer, { outcome: 'passed' })
  expect(reviewed.statusCode, reviewed.body).toBe(201)
  const opened = await h.post(`/v1/classes/${classId}/opening`, people.staff, {})
  expect(opened.statusCode, opened.body).toBe(201)
}

/** A designated institution, a programme, and an open class of it. */
export async function openClass(h: Harness, over: Record<string, unknown> = {}, programme?: string) {
  let prog = programme
  if (prog === undefined) {
    await designate(h)
    prog = await publish(h)
  }
  const classId = await apply(h, prog, over)
  await approveAndOpen(h, classId)
  return { programme: prog, classId }
}
