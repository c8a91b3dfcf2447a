import { createPseudonymizer } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { designate, publish } from './flows.ts'
import { card, type Harness, harness, people, pseudonymSecret } from './harness.ts'

describe('vouchers over HTTP', () => {
  let h: Harness
  let programme: string
  beforeAll(async () => {
    h = await harness({ voucherValidityDays: 30 })
    await designate(h)
    programme = await publish(h)
  })
  afterAll(() => h.close())

  it('issues a voucher to the worker a card number names, valid for the configured days', async () => {
    const res = await h.post('/v1/vouchers', people.officer, {
      cardNumber: card(201),
      region: '130100',
      value: 120_000,
    })
    expect(res.statusCode, res.body).toBe(201)
    const { voucher, worker } = res.json()
    expect(worker).toBe(createPseudonymizer(pseudonymSecret).pseudonym(card(201)))
    const [event] = await h.store.readStream(`training-${worker}`)
    expect(event!.data).toEqual({
      voucher,
      worker,
      region: '130100',
      value: 120_000,
      validUntil: '2024-05-01T01:00:00.000Z',
    })
    expect(event!.metadata).toMatchObject({ region: '130100', actor: { kind: 'subsidy_officer' } })
  })

  it("values a programme voucher at the programme's standard, and refuses an unknown programme", async () => {
    const res = await h.post('/v1/vouchers', people.officer, {
      cardNumber: card(202),
      region: '130102',
      programme,
    })
    expect(res.statusCode, res.body).toBe(201)
    const [event] = await h.store.readStream(`training-${res.json().worker}`)
    expect(event!.data).toMatchObject({ programme, value: 250_000 })
    const unknown = await h.post('/v1/vouchers', people.officer, {
      cardNumber: card(202),
      region: '130100',
      programme: 'prog-x',
    })
    expect([unknown.statusCode, unknown.json().reasons[0].rule]).toEqual([422, 'programme-unknown'])
  })

  it('refuses a voucher with neither value nor programme, a bad card, or from another region', async () => {
    const before = await h.store.lastPosition()
    const bare = await h.post('/v1/vouchers', people.officer, { cardNumber: card(203), region: '130100' })
    expect([bare.statusCode, bare.json().errors[0].path]).toEqual([400, ['body', 'value']])
    const bad = await h.post('/v1/vouchers', people.officer, {
      cardNumber: '1301021990',
      region: '130100',
      value: 1,
    })
    expect(bad.json().errors[0]).toMatchObject({ path: ['body', 'cardNumber'], code: 'wrong_length' })
    expect(
      (
        await h.post('/v1/vouchers', people.otherOfficer, {
          cardNumber: card(203),
          region: '130100',
          value: 1,
        })
      ).statusCode,
    ).toBe(403)
    expect(
      (await h.post('/v1/vouchers', people.staff, { cardNumber: card(203), region: '130100', value: 1 }))
        .statusCode,
    ).toBe(403)
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('lets a voucher lapse only after its validity, named by card or pseudonym', async () => {
    const issued = (
      await h.post('/v1/vouchers', people.officer, { cardNumber: card(204), region: '130100', value: 1000 })
    ).json()
    const url = `/v1/vouchers/${issued.voucher}/expiry`
    const early = await h.post(url, people.officer, { cardNumber: card(204) })
    expect([early.statusCode, early.json().reasons[0].rule]).toEqual([422, 'voucher-still-valid'])
    h.clock.now = new Date('2024-05-02T00:00:00.000Z')
    try {
      expect((await h.post(url, people.otherOfficer, { worker: issued.worker })).statusCode).toBe(403)
      const lapsed = await h.post(url, people.admin, { worker: issued.worker })
      expect(lapsed.statusCode, lapsed.body).toBe(201)
      const again = await h.post(url, people.officer, { worker: issued.worker })
      expect(again.json().reasons[0].rule).toBe('voucher-expired')
    } finally {
      h.clock.now = new Date('2024-04-01T01:00:00.000Z')
    }
  })

  it('records the card holder’s claim once, and refuses a lapsed or unknown voucher with the reason', async () => {
    const issued = (
      await h.post('/v1/vouchers', people.officer, {
        cardNumber: card(207),
        region: '130100',
        value: 1000,
        group: 'unemployed',
        ruleSet: { id: 'sjz-2019', version: 1 },
      })
    ).json()
    const url = `/v1/vouchers/${issued.voucher}/claim`
    expect((await h.post(url, people.officer, { cardNumber: card(207) })).statusCode).toBe(403)
    const claimed = await h.post(url, people.cardService, { cardNumber: card(207) })
    expect(claimed.statusCode, claimed.body).toBe(201)
    expect((await h.post(url, people.cardService, { cardNumber: card(207) })).json().ids).toEqual([])
    const events = await h.store.readStream(`training-${issued.worker}`)
    expect(events.map((e) => e.type)).toEqual(['VoucherIssued', 'VoucherClaimed'])
    expect(events[0]!.data).toMatchObject({ group: 'unemployed', ruleSet: { id: 'sjz-2019', version: 1 } })
    const unknown = await h.post(url, people.cardService, { cardNumber: card(208) })
    expect([unknown.statusCode, unknown.json().reasons[0].rule]).toEqual([422, 'voucher-unknown'])
    const late = (
      await h.post('/v1/vouchers', people.officer, { cardNumber: card(208), region: '130100', value: 1000 })
    ).json()
    h.clock.now = new Date('2024-05-02T00:00:00.000Z')
    try {
      const lapsed = await h.post(`/v1/vouchers/${late.voucher}/claim`, people.cardService, {
        cardNumber: card(208),
      })
      expect([lapsed.statusCode, lapsed.json().reasons[0].rule]).toEqual([422, 'voucher-expired'])
    } finally {
      h.clock.now = new Date('2024-04-01T01:00:00.000Z')
    }
  })

  it('asks for exactly one way of naming the worker, and 404s a voucher the worker never had', async () => {
    const both = await h.post('/v1/vouchers/vch-1/expiry', people.officer, {
      cardNumber: card(205),
      worker: '0'.repeat(32),
    })
    expect(both.statusCode).toBe(400)
    expect(
      (await h.post('/v1/vouchers/vch-1/expiry', people.officer, { cardNumber: card(205) })).statusCode,
    ).toBe(404)
  })

  it('answers a retried issue with the same voucher, appended once', async () => {
    const body = { cardNumber: card(206), region: '130100', value: 5000 }
    const first = await h.post('/v1/vouchers', people.officer, body, 'issue-206')
    const head = await h.store.lastPosition()
    const second = await h.post('/v1/vouchers', people.officer, body, 'issue-206')
    expect(second.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(head)
  })
})
