// A training voucher (电子培训券) followed from issue to the bank and back, over real HTTP (issue 26):
// an officer issues it to a worker of a population group under the region's rule set; the worker
// claims it through the card service; the institution redeems it at enrolment; the class is
// taught and completed; the worker's 职业培训补贴 claim is approved and goes out in a payment batch
// whose line names the voucher; the bank's return pays the line and the voucher is settled. A
// second redemption and a lapsed voucher are refused with the reason, writing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Answer } from './support/http.ts'
import {
  accepted,
  attendAndComplete,
  card,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  postEnrolment,
  publish,
  region,
  registerCardAccount,
  trainingClaim,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const refusedWith = (res: Answer) => {
  expect(res.status, JSON.stringify(res.body)).toBe(422)
  expect(res.headers['content-type']).toContain('application/problem+json')
  return (res.body as { reasons: { rule: string }[] }).reasons.map((r) => r.rule)
}

describe('a training voucher issued, claimed, redeemed and settled over HTTP', () => {
  let sys: System
  let cls: OpenedClass
  let later: OpenedClass
  let voucher: string
  let worker: string

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    const institution = 'inst-130100-0042'
    await designate(sys.http, institution, '52130100MJ0123456N')
    const programme = await publish(sys.http, occupations.electrician)
    cls = await openClass(sys.http, institution, programme, ['2021-04-06', '2021-04-07'])
    later = await openClass(sys.http, institution, programme, ['2021-05-10', '2021-05-11'])
  }, 240_000)

  afterAll(async () => {
    await sys?.close()
  })

  it('issues by group and rule set, is claimed by the worker, and is redeemed once at enrolment', async () => {
    const { http } = sys
    const issued = accepted(
      await http.post('/v1/vouchers', people.officer, {
        cardNumber: card(141),
        region: '130100',
        value: 220_000,
        group: 'unemployed',
        ruleSet: { id: 'sjz-2019', version: 1 },
      }),
    )
    voucher = issued.voucher as string
    worker = issued.worker as string
    // Not claimed yet: refused with the reason.
    expect(
      refusedWith(await postEnrolment(http, cls, card(141), '2021-03-01T08:40:00+08:00', voucher)),
    ).toEqual(['voucher-not-claimed'])
    accepted(await http.post(`/v1/vouchers/${voucher}/claim`, people.cardService, { cardNumber: card(141) }))
    expect(await enrol(http, cls, card(141), '2021-03-01T08:40:00+08:00', voucher)).toBe(worker)
    const training = await sys.store.readStream(`training-${worker}`)
    expect(training.map((e) => e.type)).toEqual(
      expect.arrayContaining(['VoucherIssued', 'VoucherClaimed', 'WorkerEnrolled', 'VoucherRedeemed']),
    )
    expect(training.find((e) => e.type === 'VoucherIssued')!.data).toMatchObject({
      group: 'unemployed',
      ruleSet: { id: 'sjz-2019', version: 1 },
    })

    // A second redemption, in another class: refused with the class it was spent on; nothing written.
    const before = await sys.store.lastPosition()
    const second = await postEnrolment(http, later, card(141), '2021-03-01T08:45:00+08:00', voucher)
    expect(refusedWith(second)).toEqual(['voucher-redeemed'])
    expect(JSON.stringify(second.body)).toContain(cls.id)
    expect(await sys.store.lastPosition()).toBe(before)
  })

  it('refuses a voucher that has lapsed, naming its validity, and writes nothing', async () => {
    const { http } = sys
    const short = accepted(
      await http.post('/v1/vouchers', people.officer, {
        cardNumber: card(142),
        region: '130100',
        value: 220_000,
        validUntil: '2021-03-10T00:00:00+08:00',
      }),
    ).voucher as string
    accepted(await http.post(`/v1/vouchers/${short}/claim`, people.cardService, { cardNumber: card(142) }))
    sys.clock.now = new Date('2021-03-11T09:00:00+08:00')
    const before = await sys.store.lastPosition()
    const lapsed = await postEnrolment(http, cls, card(142), '2021-03-11T08:40:00+08:00', short)
    expect(refusedWith(lapsed)).toEqual(['voucher-expired'])
    expect(JSON.stringify(lapsed.body)).toContain('validUntil')
    expect(await sys.store.lastPosition()).toBe(before)
  })

  it('settles the voucher in the payment batch: the line names it, and the bank’s return pays it', async () => {
    const { http } = sys
    sys.clock.now = new Date('2021-04-08T09:00:00+08:00')
    await attendAndComplete(http, cls, [worker], 'dev-fc-vch-0061')
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    await registerCardAccount(http, card(141), '6217000130000141141')
    const claim = accepted(
      await http.post('/v1/claims', people.officer, {
        ...trainingClaim(cls, worker),
        payee: { kind: 'worker', id: worker },
      }),
    ).claim as string
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))

    sys.clock.now = new Date('2021-06-20T10:00:00+08:00')
    const batch = accepted(
      await http.post('/v1/payment-batches', people.finance, { region, claims: [claim] }),
    )
    const issued = (await sys.store.readStream(`paybatch-${batch.batch}`))[0]!
    expect(issued.data).toMatchObject({ lines: [{ line: 1, claim, voucher, amount: 220_000 }] })

    const ref = `${batch.batch}/1`
    const file = `TRECRET,1,${batch.batch},RET-VCH-1,2021-06-21\n1,${ref},220000,PAID,BKVCH0001,,\nEND,1,220000,0\n`
    expect(
      accepted(await http.post(`/v1/payment-batches/${batch.batch}/return`, people.finance, { file })),
    ).toMatchObject({
      paid: 220_000,
      failed: 0,
    })
    const paid = (await sys.store.readStream(`subsidy-${worker}`)).find((e) => e.type === 'SubsidyPaid')!
    expect(paid.data).toMatchObject({ claim, paymentRef: ref, amount: 220_000 })
    expect(((await http.get(`/v1/claims/${claim}`, people.finance)).body as { status: string }).status).toBe(
      'paid',
    )

    // The worker's balance: the voucher settled by that line, and the read logged.
    const seen = accepted(await http.get(`/v1/workers/${worker}/vouchers`, people.finance), 200)
    expect(seen).toMatchObject({
      totals: { available: 0, redeemed: 0, settled: 220_000 },
      vouchers: [
        {
          voucher,
          status: 'settled',
          group: 'unemployed',
          redeemed: { class: cls.id, institution: cls.institution, amount: 220_000 },
          settled: { paymentRef: ref, amount: 220_000 },
        },
      ],
    })
    const logged = await sys.store.readStream(`access-${worker}`)
    expect(logged.at(-1)).toMatchObject({ type: 'RecordAccessed', data: { view: 'vouchers' } })
    // Another region's finance sees none of them.
    const elsewhere = { sub: 'finance-44', role: 'finance', region: '44' } as const
    expect(accepted(await http.get(`/v1/workers/${worker}/vouchers`, elsewhere), 200).vouchers).toEqual([])
  })
})
