import { createPseudonymizer } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrolmentBody, openClass, session } from './flows.ts'
import { card, type Harness, harness, people, pseudonymSecret, type Who } from './harness.ts'

const pseudonym = (c: string) => createPseudonymizer(pseudonymSecret).pseudonym(c)

describe('enrolment with real-name verification over HTTP', () => {
  let h: Harness
  let classId: string
  let programme: string
  beforeAll(async () => {
    h = await harness()
    ;({ classId, programme } = await openClass(h))
  })
  afterAll(() => h.close())

  const enrol = (body: unknown, who: Who | null = people.staff, id = classId, key?: string) =>
    h.post(`/v1/classes/${id}/enrolments`, who ?? undefined, body, key)
  const rules = (res: { json(): { reasons: { rule: string }[] } }) => res.json().reasons.map((r) => r.rule)

  it('enrols: the check, the enrolment and the roster entry in one atomic append, under the pseudonym', async () => {
    const cardNumber = card(101)
    // Typed the way people type it: full-width digits, spaces, a lower-case x would be normalised too.
    const typed = `${cardNumber.slice(0, 6)} ${cardNumber.slice(6)}`.replace(/[0-9]/g, (d) =>
      String.fromCharCode(d.charCodeAt(0) + 0xfee0),
    )
    const res = await enrol(enrolmentBody(typed))
    expect(res.statusCode, res.body).toBe(201)
    const worker = pseudonym(cardNumber)
    expect(res.json()).toMatchObject({ worker, revision: 1 })
    const training = await h.store.readStream(`training-${worker}`)
    expect(training.map((e) => e.type)).toEqual(['IdentityVerified', 'WorkerEnrolled'])
    expect(training[0]!.metadata).toMatchObject({
      occurredAt: '2024-04-01T08:30:00+08:00',
      actor: { id: 'staff-1' },
    })
    const roster = await h.store.readStream(`class-${classId}`)
    expect(roster.at(-1)).toMatchObject({ type: 'RosterEntryAdded', data: { worker } })
    expect(new Set([...training, roster.at(-1)!].map((e) => e.position))).toHaveLength(3)
    expect((await h.get(`/v1/classes/${classId}`, people.staff)).json().roster).toEqual([worker])
  })

  it('seals name, ID number and phone under the worker’s key: they open, and appear nowhere in plain text', async () => {
    const cardNumber = card(102)
    const res = await enrol(enrolmentBody(cardNumber, { name: '李四', phone: '13800138000' }))
    const worker = res.json().worker
    const [, enrolled] = await h.store.readStream(`training-${worker}`)
    const opened = await h.keyRing.openFields(worker, enrolled!.data, ['name', 'idNumber', 'phone'])
    expect(opened.value).toMatchObject({ name: '李四', idNumber: cardNumber, phone: '13800138000' })
    const stored = JSON.stringify(await h.store.readAll(), (_, v) => (typeof v === 'bigint' ? String(v) : v))
    expect(h.lines.some((line) => line.includes('/enrolments'))).toBe(true)
    const everything = stored + h.lines.join('\n')
    for (const secret of [cardNumber, '李四', '13800138000', '张三', '13912345678'])
      expect(everything).not.toContain(secret)
  })

  it('answers a bad card number 400 with the reason as the issue code, never echoing the number', async () => {
    const before = await h.store.lastPosition()
    const wrong = `${card(103).slice(0, 17)}${card(103).endsWith('0') ? '1' : '0'}`
    const res = await enrol(enrolmentBody(wrong))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: ['body', 'cardNumber'], code: 'invalid_check_digit' }),
    ])
    expect(res.body).not.toContain(wrong)
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('records a failed check, enrols no one, and answers 422 naming what it recorded', async () => {
    const body = enrolmentBody(card(104))
    const failed = { ...body, identity: { ...body.identity, result: 'failed', failure: 'not_found' } }
    const res = await enrol(failed)
    expect(res.statusCode).toBe(422)
    const problem = res.json()
    expect(problem).toMatchObject({
      code: 'TREC_IDENTITY_NOT_VERIFIED',
      worker: pseudonym(card(104)),
      recorded: { revision: 0 },
    })
    expect(problem.reasons.map((r: { rule: string }) => r.rule)).toEqual(['identity-not-verified'])
    const events = await h.store.readStream(`training-${problem.worker}`)
    expect(events.map((e) => [e.type, e.data.result])).toEqual([['IdentityVerified', 'not_found']])
    expect(events[0]!.id).toBe(problem.recorded.ids[0])
    expect(await h.keyStore.get(problem.worker)).toBeUndefined()
    const again = await enrol(failed)
    expect([again.statusCode, again.json().recorded]).toEqual([422, { ids: [] }])
    expect(await h.store.readStream(`training-${problem.worker}`)).toHaveLength(1)
  })

  it('refuses the same worker twice, and writes nothing when another rule refuses a passed check', async () => {
    await enrol(enrolmentBody(card(105)))
    const before = await h.store.lastPosition()
    expect(rules(await enrol(enrolmentBody(card(105))))).toEqual(['already-enrolled'])
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('refuses a class whose sessions overlap one the worker is in', async () => {
    const { classId: clashing } = await openClass(
      h,
      { sessions: [session('2024-04-08', '10:00', '12:00')] },
      programme,
    )
    await enrol(enrolmentBody(card(106)))
    const res = await enrol(enrolmentBody(card(106)), people.staff, clashing)
    expect(res.statusCode).toBe(422)
    expect(res.json().reasons[0]).toMatchObject({ rule: 'schedule-overlap', details: { class: classId } })
    const { classId: later } = await openClass(h, { sessions: [session('2024-04-10')] }, programme)
    expect((await enrol(enrolmentBody(card(106)), people.staff, later)).statusCode).toBe(201)
  })

  it('gives the last seat to one of two racing enrolments and refuses the other as full', async () => {
    const { classId: small } = await openClass(
      h,
      { capacity: 1, sessions: [session('2024-05-08')] },
      programme,
    )
    const results = await Promise.all(
      [card(107), card(108)].map((c) => enrol(enrolmentBody(c), people.staff, small)),
    )
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 422])
    expect(rules(results.find((r) => r.statusCode === 422)!)).toEqual(['class-full'])
    expect((await h.get(`/v1/classes/${small}`, people.staff)).json().roster).toHaveLength(1)
  })

  it('redeems a voucher with the enrolment, once', async () => {
    const issued = await h.post('/v1/vouchers', people.officer, {
      cardNumber: card(109),
      region: '130100',
      programme,
    })
    expect(issued.statusCode, issued.body).toBe(201)
    const { voucher, worker } = issued.json()
    const { classId: another } = await openClass(h, { sessions: [session('2024-05-20')] }, programme)
    expect(rules(await enrol(enrolmentBody(card(109), { voucher })))).toEqual(['voucher-not-claimed'])
    const claim = await h.post(`/v1/vouchers/${voucher}/claim`, people.cardService, { cardNumber: card(109) })
    expect(claim.statusCode, claim.body).toBe(201)
    expect((await enrol(enrolmentBody(card(109), { voucher }))).statusCode).toBe(201)
    const events = await h.store.readStream(`training-${worker}`)
    expect(events.at(-1)).toMatchObject({
      type: 'VoucherRedeemed',
      data: { voucher, class: classId, amount: 250_000 },
    })
    expect(rules(await enrol(enrolmentBody(card(109), { voucher }), people.staff, another))).toEqual([
      'voucher-redeemed',
    ])
    expect(rules(await enrol(enrolmentBody(card(110), { voucher }), people.staff, another))).toEqual([
      'voucher-unknown',
    ])
  })

  it('lets only the staff of the class’s institution enrol', async () => {
    expect((await enrol(enrolmentBody(card(111)), people.otherStaff)).statusCode).toBe(403)
    expect((await enrol(enrolmentBody(card(111)), people.officer)).statusCode).toBe(403)
    expect((await enrol(enrolmentBody(card(111)), null)).statusCode).toBe(401)
    expect((await enrol(enrolmentBody(card(111)), people.staff, 'cls-none')).statusCode).toBe(404)
  })

  it('answers a retried enrolment with the first answer, appended once', async () => {
    const body = enrolmentBody(card(112))
    const first = await enrol(body, people.staff, classId, 'enrol-112')
    const head = await h.store.lastPosition()
    const second = await enrol(body, people.staff, classId, 'enrol-112')
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('refuses enrolment into a closed class and for a delisted institution', async () => {
    const { classId: closing } = await openClass(h, { sessions: [session('2024-06-08')] }, programme)
    expect(
      (await h.post(`/v1/classes/${closing}/closing`, people.staff, { reason: 'cancelled' })).statusCode,
    ).toBe(201)
    expect(rules(await enrol(enrolmentBody(card(113)), people.staff, closing))).toEqual(['class-closed'])
    expect(
      (await h.post('/v1/institutions/inst-1/delisting', people.officer, { reason: 'false_training' }))
        .statusCode,
    ).toBe(201)
    expect(rules(await enrol(enrolmentBody(card(113))))).toEqual(['institution-delisted'])
  })
})
