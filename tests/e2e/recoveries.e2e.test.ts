// Money asked back followed to its return, over real HTTP with the read side running (issue 26):
// a worker's paid 技能提升补贴 is clawed back and its recovery account reaches "recovered" through
// two repayments recorded by finance (a repeated bank reference records nothing new); a class's
// advance (先行拨付) paid for three workers, of whom one completes, leaves a balance due back from
// the provider that reaches "recovered" the same way. A repayment above what is still due is
// refused with problem+json naming `amount`, and nothing is written. The list of recoveries shows
// both accounts, bounded by the token's region.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import type { Who } from './support/client.ts'
import type { Answer } from './support/http.ts'
import {
  accepted,
  attendAndComplete,
  attestContributions,
  card,
  certify,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  registerCardAccount,
  skillUpgradeClaim,
  trainingClaim,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

/** A stored set as a draft: its fields less the version the store gives it. */
const withoutVersion = ({ version: _, ...draft }: Record<string, unknown>) => draft

const shipped = new URL('../../services/subsidy/rules/shijiazhuang-2019.json', import.meta.url)

describe('recovery accounts: a clawback and an advance shortfall followed to the money returned', () => {
  let sys: System
  let worker = ''
  let claim = ''
  let cls: OpenedClass
  const institution = 'inst-130100-0042'

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    const { http } = sys
    // The city's set amended from today to provide for an advance (D3: at least one half).
    const set = JSON.parse(readFileSync(shipped, 'utf8'))
    accepted(
      await http.post(`/v1/rule-sets/${set.id}/versions`, people.officer, {
        reason: '市级确定先行拨付比例',
        ruleSet: {
          ...withoutVersion(set),
          validFrom: '2021-03-01',
          advance: { source: 'D3 先行拨付 「不低于50%」', minShare: 0.5 },
        },
      }),
    )
    await designate(http, institution, '52130100MJ0123456N')
    cls = await openClass(http, institution, await publish(http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
    const roster: string[] = []
    for (let i = 0; i < 3; i++)
      roster.push(await enrol(http, cls, card(141 + i), '2021-03-01T08:40:00+08:00'))
    // The first completes the class; the second is paid a 技能提升补贴 later clawed back.
    const completer = roster[0]!
    worker = roster[1]!
    await registerCardAccount(http, card(142))
    // The advance: half of what the three would earn.
    accepted(
      await http.post(`/v1/classes/${cls.id}/advances`, people.finance, {
        subsidyTotal: 660_000,
        share: 0.5,
        paymentRef: 'FIN-ADV-2021-0001',
      }),
    )
    // Only the first worker attends and completes.
    sys.clock.now = new Date('2021-04-08T10:00:00+08:00')
    await attendAndComplete(http, cls, [completer], 'dev-fc-0141')
    sys.clock.now = new Date('2021-04-20T10:00:00+08:00')
    const certificate = await certify(http, worker, occupations.electrician, 'S0130000092141001', {
      assessedOn: '2021-04-19',
      issuedOn: '2021-04-20',
    })
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    await attestContributions(http, worker)
    const pay = async (body: unknown, who: Who, ref: string) => {
      const id = accepted(await http.post('/v1/claims', who, body)).claim as string
      accepted(await http.post(`/v1/claims/${id}/reviews`, people.reviewer, { outcome: 'approved' }))
      accepted(await http.post(`/v1/claims/${id}/decision`, people.officer, { outcome: 'approved' }))
      return {
        id,
        paid: accepted(await http.post(`/v1/claims/${id}/payment`, people.finance, { paymentRef: ref })),
      }
    }
    // The provider's training subsidy for the one who completed, settled against the advance.
    const training = await pay(
      trainingClaim(cls, completer),
      people.staff(institution),
      'FIN-2021-06-15-0001',
    )
    expect(training.paid).toMatchObject({ amount: 220_000, advanceApplied: 220_000 })
    // The worker's own 技能提升补贴, paid to the card account.
    claim = (await pay(skillUpgradeClaim(worker, certificate), people.officer, 'FIN-2021-06-15-0002')).id
  }, 240_000)

  afterAll(async () => {
    await sys?.close()
  })

  const stream = async (recovery: string) =>
    (await sys.store.readStream(`recovery-${recovery}`)).map((e) => ({ type: e.type, data: e.data }))

  /** Refused with problem+json naming `field`, and the store's head does not move. */
  async function refusedNaming(send: () => Promise<Answer>, status: number, field: string) {
    const before = await sys.store.lastPosition()
    const res = await send()
    expect(res.status, res.text).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.text).toContain(`"${field}"`)
    expect(await sys.store.lastPosition()).toBe(before)
    return res
  }

  async function repayTwice(recovery: string, first: number, second: number, refs: [string, string]) {
    const { http } = sys
    const repay = (amount: number, bankRef: string) =>
      http.post(`/v1/recoveries/${recovery}/repayments`, people.finance, {
        amount,
        bankRef,
        receivedOn: '2021-07-01',
      })
    accepted(await repay(first, refs[0]))
    // The same bank reference again (a retry): nothing new.
    expect(accepted(await repay(first, refs[0])).ids).toEqual([])
    // More than is still due: refused naming the amount, nothing written.
    const over = await refusedNaming(() => repay(second + 1, `${refs[1]}-X`), 422, 'amount')
    expect(over.body.reasons[0]).toMatchObject({ rule: 'repayment-amount', details: { outstanding: second } })
    accepted(await repay(second, refs[1]))
    // Recovered: nothing more is taken, not even a fen.
    await refusedNaming(() => repay(1, `${refs[1]}-Y`), 422, 'recovery')
  }

  it('follows a clawback to "recovered" through two repayments', async () => {
    const { http } = sys
    const clawback = accepted(
      await http.post(`/v1/claims/${claim}/clawback`, people.officer, {
        reason: 'duplicate_benefit',
        note: '重复享受',
      }),
    ).ids[0] as string
    // A made-up clawback is refused, naming the field.
    await refusedNaming(
      () =>
        http.post(`/v1/claims/${claim}/recoveries`, people.officer, {
          clawback: '0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d',
          dueOn: '2021-09-30',
        }),
      400,
      'clawback',
    )
    const opened = accepted(
      await http.post(`/v1/claims/${claim}/recoveries`, people.officer, { clawback, dueOn: '2021-09-30' }),
    )
    const recovery = opened.recovery as string
    // Opening again is the same account.
    const again = accepted(
      await http.post(`/v1/claims/${claim}/recoveries`, people.officer, { clawback, dueOn: '2021-09-30' }),
    )
    expect(again).toMatchObject({ recovery, ids: [] })
    await repayTwice(recovery, 100_000, 50_000, ['BK-IN-2021-0701-1', 'BK-IN-2021-0702-1'])
    const events = await stream(recovery)
    expect(events.map((e) => e.type)).toEqual(['RecoveryOpened', 'RepaymentRecorded', 'RepaymentRecorded'])
    expect(events[0]!.data).toMatchObject({
      source: { kind: 'clawback', claim, clawback },
      debtor: { kind: 'worker', id: worker },
      amount: 150_000,
      dueOn: '2021-09-30',
    })
    expect(events[2]!.data).toMatchObject({ worker, recovered: 150_000, outstanding: 0 })
    // A write-off of a recovered account is refused.
    await refusedNaming(
      () => http.post(`/v1/recoveries/${recovery}/write-off`, people.officer, { reason: 'uncollectable' }),
      422,
      'recovery',
    )
  })

  it('follows an advance paid beyond what the class earned to "recovered" through two repayments', async () => {
    const { http } = sys
    const recovery = accepted(
      await http.post(`/v1/classes/${cls.id}/advance-recoveries`, people.officer, { dueOn: '2021-12-31' }),
    ).recovery as string
    const events0 = await stream(recovery)
    // 330,000 advanced; the one who completed earned 220,000 of it: 110,000 is due back.
    expect(events0[0]!.data).toMatchObject({
      source: { kind: 'advance_shortfall', class: cls.id, advanced: 330_000, earned: 220_000 },
      debtor: { kind: 'provider', id: institution },
      amount: 110_000,
    })
    await repayTwice(recovery, 60_000, 50_000, ['BK-IN-2021-0801-1', 'BK-IN-2021-0802-1'])
    expect((await stream(recovery)).at(-1)!.data).toMatchObject({ recovered: 110_000, outstanding: 0 })
  })

  it('lists both accounts as recovered, inside the token’s region only', async () => {
    await caughtUp(sys)
    const page = accepted(await sys.http.get('/v1/recoveries?status=recovered', people.finance), 200)
    expect(page.items).toHaveLength(2)
    expect(page.items.map((r: { source: string }) => r.source).sort()).toEqual([
      'advance_shortfall',
      'clawback',
    ])
    for (const r of page.items) expect(r.amounts.outstanding).toBe(0)
    const elsewhere = { sub: 'finance-44', role: 'finance', region: '44' } as const
    expect(accepted(await sys.http.get('/v1/recoveries', elsewhere), 200).items).toEqual([])
  }, 90_000)

  it('shows the clawback’s recovery history in compliance and in the worker’s archive', async () => {
    await caughtUp(sys)
    const history = [
      { kind: 'repayment', amount: 100_000, bankRef: 'BK-IN-2021-0701-1', receivedOn: '2021-07-01' },
      { kind: 'repayment', amount: 50_000, bankRef: 'BK-IN-2021-0702-1', receivedOn: '2021-07-01' },
    ]
    const account = { claim, amount: 150_000, dueOn: '2021-09-30', recovered: 150_000, status: 'recovered' }
    const payments = accepted(
      await sys.http.get('/v1/compliance/payments?region=130102', people.finance),
      200,
    ).items.filter((p: { claim: string }) => p.claim === claim)
    expect(payments).toHaveLength(1)
    expect(payments[0]).toMatchObject({ clawedBack: 150_000 })
    expect(payments[0].recoveries).toEqual([
      expect.objectContaining({ ...account, history: history.map((h) => expect.objectContaining(h)) }),
    ])
    const archive = accepted(
      await sys.http.post('/v1/archive/lookup', people.cardService, {
        cardNumber: card(142),
        purpose: 'card_holder_request',
      }),
      200,
    ).archive
    expect(archive.subsidies.recoveries).toEqual([
      expect.objectContaining({ ...account, history: history.map((h) => expect.objectContaining(h)) }),
    ])
    // The provider's advance shortfall is not the worker's: neither the completer's archive nor compliance
    // payment of the training claim names it.
    const training = accepted(
      await sys.http.get('/v1/compliance/payments?region=130102', people.finance),
      200,
    ).items.find((p: { kind: string }) => p.kind === 'training')
    expect(training.recoveries).toEqual([])
  }, 90_000)
})
