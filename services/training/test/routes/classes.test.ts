import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applicationBody, apply, approveAndOpen, designate, publish, session } from './flows.ts'
import { type Harness, harness, people } from './harness.ts'

describe('classes over HTTP: 开班申请 → 培训前审核 → 开班 → closing', () => {
  let h: Harness
  let programme: string
  beforeAll(async () => {
    h = await harness()
    await designate(h)
    programme = await publish(h)
  })
  afterAll(() => h.close())

  const rules = (res: { json(): { reasons: { rule: string }[] } }) => res.json().reasons.map((r) => r.rule)

  it('takes an application, names its sessions, and shows it to the institution', async () => {
    const res = await h.post('/v1/classes', people.staff, applicationBody(programme))
    expect(res.statusCode).toBe(201)
    const { class: id } = res.json()
    expect(id).toMatch(/^cls-[0-9a-f-]{36}$/)
    const shown = await h.get(`/v1/classes/${id}`, people.staff)
    expect(shown.statusCode).toBe(200)
    expect(shown.json()).toMatchObject({
      class: id,
      institution: 'inst-1',
      region: '130102',
      programme,
      status: 'applied',
      plannedStart: '2024-04-08',
      plannedEnd: '2024-04-09',
      sessions: [{ session: 'ses-01', mode: 'offline' }, { session: 'ses-02' }],
      teachers: [{ teacher: 'tch-130100-1187', role: 'both' }],
      roster: [],
    })
  })

  it('runs a class through review, opening and completion, every event in one correlated flow', async () => {
    const id = await apply(h, programme)
    await approveAndOpen(h, id)
    expect((await h.get(`/v1/classes/${id}`, people.officer)).json().status).toBe('opened')
    h.clock.now = new Date('2024-04-09T04:00:00.000Z')
    const closed = await h.post(`/v1/classes/${id}/closing`, people.staff, { reason: 'completed' })
    h.clock.now = new Date('2024-04-01T01:00:00.000Z')
    expect(closed.statusCode).toBe(201)
    const events = await h.store.readStream(`class-${id}`)
    expect(events.map((e) => e.type)).toEqual([
      'ClassOpeningApplied',
      'PreTrainingReviewDecided',
      'ClassOpened',
      'ClassClosed',
    ])
    expect(new Set(events.map((e) => e.metadata.correlationId))).toEqual(new Set([id.slice(4)]))
  })

  it('refuses what the rules forbid with 422 and the rule ids', async () => {
    const unknown = await h.post('/v1/classes', people.staff, applicationBody('prog-none'))
    expect([unknown.statusCode, rules(unknown)]).toEqual([422, ['programme-unknown']])
    const clash = applicationBody(programme, {
      sessions: [session('2024-04-08'), session('2024-04-08', '10:00', '12:00')],
    })
    expect(rules(await h.post('/v1/classes', people.staff, clash))).toEqual(['sessions-overlap'])
    const id = await apply(h, programme)
    expect(rules(await h.post(`/v1/classes/${id}/opening`, people.staff, {}))).toEqual(['review-not-passed'])
  })

  it('answers an invalid application 400 naming the fields, appending nothing', async () => {
    const before = await h.store.lastPosition()
    const bad = applicationBody(programme, {
      capacity: 0,
      mode: 'blended',
      sessions: [{ ...session('2024-04-08'), end: '2024-04-08T07:00:00+08:00' }],
      teachers: [{ teacher: 't1' }, { teacher: 't1' }],
    })
    const res = await h.post('/v1/classes', people.staff, bad)
    expect(res.statusCode).toBe(400)
    const paths = res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.capacity',
        'body.sessions.0.end',
        'body.sessions.0.mode',
        'body.teachers.1.teacher',
      ]),
    )
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('lets only the institution’s own staff apply, open and complete; officers of the region review and stop', async () => {
    const other = await h.post('/v1/classes', people.otherStaff, applicationBody(programme))
    expect(other.statusCode).toBe(403)
    const id = await apply(h, programme)
    expect(
      (await h.post(`/v1/classes/${id}/review`, people.otherOfficer, { outcome: 'passed' })).statusCode,
    ).toBe(403)
    const noReasons = await h.post(`/v1/classes/${id}/review`, people.officer, { outcome: 'rejected' })
    expect(noReasons.statusCode).toBe(400)
    expect(
      (await h.post(`/v1/classes/${id}/review`, people.reviewer, { outcome: 'passed' })).statusCode,
    ).toBe(201)
    const [, review] = await h.store.readStream(`class-${id}`)
    expect(review!.data).toMatchObject({ reviewer: { kind: 'third_party', id: 'tp-hebei-007' } })
    expect((await h.post(`/v1/classes/${id}/opening`, people.otherStaff, {})).statusCode).toBe(403)
    expect(
      (await h.post(`/v1/classes/${id}/closing`, people.staff, { reason: 'stopped_by_authority' }))
        .statusCode,
    ).toBe(403)
    expect(
      (await h.post(`/v1/classes/${id}/closing`, people.officer, { reason: 'cancelled' })).statusCode,
    ).toBe(403)
    expect(
      (await h.post(`/v1/classes/${id}/closing`, people.otherOfficer, { reason: 'stopped_by_authority' }))
        .statusCode,
    ).toBe(403)
    expect(
      (await h.post(`/v1/classes/${id}/closing`, people.officer, { reason: 'stopped_by_authority' }))
        .statusCode,
    ).toBe(201)
  })

  it('shows a class to its devices and the region’s assessors, and to no one else', async () => {
    const id = await apply(h, programme)
    const device = { sub: 'dev-1', role: 'device' as const, class: id }
    expect((await h.get(`/v1/classes/${id}`, device)).statusCode).toBe(200)
    expect((await h.get(`/v1/classes/${id}`, { ...device, class: 'cls-other' })).statusCode).toBe(403)
    expect((await h.get(`/v1/classes/${id}`, people.assessor)).statusCode).toBe(200)
    expect((await h.get(`/v1/classes/${id}`, people.otherAssessor)).statusCode).toBe(403)
    expect((await h.get(`/v1/classes/${id}`, people.otherStaff)).statusCode).toBe(403)
    expect((await h.get(`/v1/classes/${id}`, people.otherOfficer)).statusCode).toBe(403)
    expect((await h.get(`/v1/classes/${id}`, people.cardService)).statusCode).toBe(403)
    expect((await h.get('/v1/classes/cls-none', people.staff)).statusCode).toBe(404)
  })

  it('answers a retried application with the same class, appended once', async () => {
    const body = applicationBody(programme, { capacity: 12 })
    const first = await h.post('/v1/classes', people.staff, body, 'apply-12')
    const head = await h.store.lastPosition()
    const second = await h.post('/v1/classes', people.staff, body, 'apply-12')
    expect(second.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('refuses a delisted institution’s application and opening', async () => {
    const id = await apply(h, programme)
    expect((await h.post(`/v1/classes/${id}/review`, people.officer, { outcome: 'passed' })).statusCode).toBe(
      201,
    )
    expect(
      (await h.post('/v1/institutions/inst-1/delisting', people.officer, { reason: 'rule_violation' }))
        .statusCode,
    ).toBe(201)
    expect(rules(await h.post(`/v1/classes/${id}/opening`, people.staff, {}))).toEqual([
      'institution-delisted',
    ])
    expect(rules(await h.post('/v1/classes', people.staff, applicationBody(programme)))).toEqual([
      'institution-delisted',
    ])
  })
})
