import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fact } from '../src/domain/facts.ts'
import { type Harness, harness } from './harness.ts'
import {
  applied,
  classRecord,
  completed,
  designated,
  enrolled,
  faceCheck,
  institution,
  opened,
  otherWorker,
  published,
  reviewed,
  sessions,
  verified,
} from './record.ts'

// 先行拨付 (D3) and final settlement over HTTP: a Harbin class (TEST rule set with the D3 advance)
// gets 60% of its training subsidy in advance; the provider's payment for a worker is then set
// against it in the same atomic append.

const hcls = 'cls-hrb-0001'
const inHarbin = (f: Fact): Fact =>
  ({ ...f, data: { ...f.data, ...('class' in f.data ? { class: hcls } : {}) } }) as Fact

const harbinRecord = [
  published({ region: '230100' }),
  applied({ region: '230102' }),
  reviewed(),
  opened(10, [otherWorker, '0000000000000000000000000000beef']),
  designated(),
  enrolled(otherWorker),
  verified('verified', otherWorker),
  ...sessions(10).map((s) => faceCheck(s, 'pass', true, otherWorker)),
  completed(1, true, otherWorker),
].map(inHarbin)

describe('advances and settlement', () => {
  let h: Harness
  const call = async (url: string, who: Parameters<Harness['token']>[0], body: object) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${await h.token(who)}` },
      payload: body,
    })

  beforeAll(async () => {
    h = await harness()
    await h.record([...harbinRecord, ...classRecord().filter((f) => f.type !== 'InstitutionDesignated')])
  })
  afterAll(() => h.close())

  it('advances the city’s share of the class’s subsidy to its provider, once', async () => {
    const res = await call(`/v1/classes/${hcls}/advances`, 'harbinFinance', {
      subsidyTotal: 440_000,
      paymentRef: 'CZ-230100-1',
    })
    expect(res.statusCode, res.body).toBe(201)
    const [event] = (await h.store.readStream(`advance-${hcls}`)).map(decodeRecorded)
    expect(event).toMatchObject({
      type: 'AdvancePaid',
      data: {
        provider: institution,
        subsidyTotal: 440_000,
        share: 0.6,
        amount: 264_000,
        ruleSet: { id: 'test-harbin', version: 1 },
      },
      region: '230102',
      actor: { kind: 'finance', id: 'finance-3' },
    })
    const again = await call(`/v1/classes/${hcls}/advances`, 'harbinFinance', {
      subsidyTotal: 440_000,
      paymentRef: 'CZ-230100-2',
    })
    expect(again.statusCode).toBe(422)
    expect(again.json().reasons.map((r: { rule: string }) => r.rule)).toEqual(['advance-once'])
  })

  it('refuses an advance where the rule set has none (石家庄) and answers an unknown class 404', async () => {
    const sjz = await call('/v1/classes/cls-2021-0315/advances', 'finance', {
      subsidyTotal: 440_000,
      paymentRef: 'CZ-9',
    })
    expect(sjz.statusCode).toBe(422)
    expect(sjz.json().reasons.map((r: { rule: string }) => r.rule)).toEqual(['advance-configured'])
    const unknown = await call('/v1/classes/cls-none/advances', 'finance', {
      subsidyTotal: 440_000,
      paymentRef: 'CZ-9',
    })
    expect(unknown.statusCode).toBe(404)
  })

  it('settles a provider’s payment against the advance: payment minus advance', async () => {
    const submitted = await call('/v1/claims', 'staff', {
      worker: otherWorker,
      region: '230100',
      kind: 'training',
      payee: { kind: 'provider', id: institution },
      amount: 220_000,
      class: hcls,
    })
    expect(submitted.statusCode, submitted.body).toBe(201)
    const claim = submitted.json().claim
    expect(
      (await call(`/v1/claims/${claim}/reviews`, 'harbinReviewer', { outcome: 'approved' })).statusCode,
    ).toBe(201)
    expect(
      (await call(`/v1/claims/${claim}/decision`, 'harbinOfficer', { outcome: 'approved' })).statusCode,
    ).toBe(201)
    const paid = await call(`/v1/claims/${claim}/payment`, 'harbinFinance', { paymentRef: 'CZ-230100-3' })
    expect(paid.statusCode, paid.body).toBe(201)
    expect(paid.json()).toMatchObject({ amount: 220_000, advanceApplied: 220_000 })
    expect(paid.json().ids).toHaveLength(2)

    const [, settled] = (await h.store.readStream(`advance-${hcls}`)).map(decodeRecorded)
    expect(settled).toMatchObject({
      type: 'AdvanceApplied',
      data: { claim, worker: otherWorker, amount: 220_000, balance: 44_000 },
    })
    const read = await h.app.inject({
      method: 'GET',
      url: `/v1/claims/${claim}`,
      headers: { authorization: `Bearer ${await h.token('harbinOfficer')}` },
    })
    expect(read.json()).toMatchObject({ status: 'paid', amounts: { paid: 220_000, advanceApplied: 220_000 } })
  })
})
