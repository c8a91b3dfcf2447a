import { decodeRecorded } from '@trec/contracts'
import { uuidv7 } from '@trec/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, harness } from './harness.ts'
import { certificate, cls, fullRecord, institution, verified, worker } from './record.ts'

// The claim flow over HTTP with real signed tokens against an embedded PostgreSQL store.

describe('subsidy claim routes', () => {
  let h: Harness
  let claim: string
  const sealed = {
    sealed: 'A256GCM',
    kid: worker,
    iv: 'k3Jq9xVb0aLmP2sT',
    ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
  }
  const providerClaim = {
    worker,
    region: '130100',
    kind: 'training',
    payee: { kind: 'provider', id: institution },
    amount: 220_000,
    class: cls,
  }

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    who: Parameters<Harness['token']>[0] | null,
    body?: object,
    headers: Record<string, string> = {},
  ) =>
    h.app.inject({
      method,
      url,
      headers: { ...(who ? { authorization: `Bearer ${await h.token(who)}` } : {}), ...headers },
      ...(body ? { payload: body } : {}),
    })

  beforeAll(async () => {
    h = await harness()
    await h.record(fullRecord())
  })
  afterAll(() => h.close())

  it('takes a provider’s claim from submission to payment, naming the evidence and the rule set', async () => {
    const submitted = await call('POST', '/v1/claims', 'staff', providerClaim)
    expect(submitted.statusCode, submitted.body).toBe(201)
    claim = submitted.json().claim
    expect(claim).toBe(`clm-${worker}-1`)
    expect(submitted.json()).toMatchObject({ revision: 0, ids: [expect.any(String)] })

    const review = await call('POST', `/v1/claims/${claim}/reviews`, 'thirdParty', {
      outcome: 'approved',
      thirdParty: true,
    })
    expect(review.statusCode, review.body).toBe(201)
    const decision = await call('POST', `/v1/claims/${claim}/decision`, 'officer', {
      outcome: 'approved',
      approvedAmount: 200_000,
    })
    expect(decision.statusCode, decision.body).toBe(201)
    const paid = await call('POST', `/v1/claims/${claim}/payment`, 'finance', {
      paymentRef: 'CZ-130100-20210615-0001',
      fundSource: 'employment_subsidy_fund',
    })
    expect(paid.statusCode, paid.body).toBe(201)
    expect(paid.json()).toMatchObject({ amount: 200_000, advanceApplied: 0, revision: 3 })

    const read = await call('GET', `/v1/claims/${claim}`, 'investigator')
    expect(read.statusCode).toBe(200)
    const view = read.json()
    expect(view).toMatchObject({
      status: 'paid',
      ruleSet: { id: 'sjz-2019', version: 1 },
      occupationCode: '6-31-01-03',
      level: 4,
      amounts: { claimed: 220_000, approved: 200_000, paid: 200_000, advanceApplied: 0, clawedBack: 0 },
      reviews: [{ reviewer: { kind: 'third_party', id: 'tp-hebei-007' }, outcome: 'approved' }],
    })
    const all = await h.store.readAll()
    const typeOf = (id: string) => all.find((e) => e.id === id)?.type
    const evidenceTypes = new Set((view.payment.evidence as string[]).map(typeOf))
    expect([...evidenceTypes].sort()).toEqual([
      'FaceCheckRecorded',
      'IdentityVerified',
      'TrainingCompleted',
      'WorkerEnrolled',
    ])
    expect(view.payment.evidence).toHaveLength(13)
    const stored = (await h.store.readStream(`subsidy-${worker}`)).map(decodeRecorded)
    const payment = stored.find((e) => e.type === 'SubsidyPaid')!
    // One flow, one correlation id; each event says who acted and where.
    expect(new Set(stored.map((e) => e.correlationId))).toEqual(new Set([stored[0]!.id]))
    expect(payment).toMatchObject({
      source: 'trec.subsidy',
      region: '130100',
      actor: { kind: 'finance', id: 'finance-1' },
    })
  })

  it('recovers a paid subsidy, and the claim shows it', async () => {
    const res = await call('POST', `/v1/claims/${claim}/clawback`, 'officer', {
      reason: 'paid_in_error',
      amount: 50_000,
      note: '复核发现多付',
    })
    expect(res.statusCode, res.body).toBe(201)
    expect((await call('GET', `/v1/claims/${claim}`, 'finance')).json()).toMatchObject({
      status: 'paid',
      amounts: { clawedBack: 50_000 },
    })
  })

  it('refuses a skill-upgrade claim for a level already subsidised and without attested contributions', async () => {
    await h.record([certificate()])
    const body = {
      worker,
      region: '130100',
      kind: 'skill_upgrade',
      payee: { kind: 'worker', id: worker },
      amount: 150_000,
      certificate: 'cert-2021-77120',
    }
    const res = await call('POST', '/v1/claims', 'officer', body)
    expect(res.statusCode).toBe(422)
    expect(
      res
        .json()
        .reasons.map((r: { rule: string }) => r.rule)
        .sort(),
    ).toEqual(['contribution-months', 'once-per-occupation-level'])
  })

  it('refuses a claim the record does not support with 422 and its reasons, appending nothing', async () => {
    const before = await h.store.lastPosition()
    const stranger = '00000000000000000000000000000abc'
    const res = await call('POST', '/v1/claims', 'staff', { ...providerClaim, worker: stranger })
    expect(res.statusCode).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const rules = res.json().reasons.map((r: { rule: string }) => r.rule)
    expect(rules).toEqual(
      expect.arrayContaining(['enrolled', 'identity-verified', 'completion', 'attendance-minimum']),
    )
    expect(res.json().reasons[0].ruleSet).toEqual({ id: 'sjz-2019', version: 1 })
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('appends a claim once for one Idempotency-Key and answers the same twice', async () => {
    const other = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d'
    await h.record([
      verified('verified', other),
      { ...certificate(), data: { ...certificate().data, worker: other } },
    ])
    const attested = await call('POST', `/v1/workers/${other}/contribution-history`, 'finance', {
      region: '130100',
      months: 27,
      asOf: '2021-06-01',
      enterpriseEmployee: true,
      source: { system: 'hebei-jinbao', ref: 'SI-Q-20210601-000731' },
    })
    expect(attested.statusCode, attested.body).toBe(201)
    const body = {
      worker: other,
      region: '130100',
      kind: 'skill_upgrade',
      payee: { kind: 'worker', id: other },
      amount: 150_000,
      certificate: 'cert-2021-77120',
    }
    const key = { 'idempotency-key': 'claim-other-1' }
    const first = await call('POST', '/v1/claims', 'officer', body, key)
    expect(first.statusCode, first.body).toBe(201)
    const before = await h.store.lastPosition()
    const second = await call('POST', '/v1/claims', 'officer', body, key)
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(before)
    expect(await h.store.streamRevision(`subsidy-${other}`)).toBe(1)

    // …and pays it to the sealed card account (持卡领补).
    const c = first.json().claim
    await call('POST', `/v1/claims/${c}/reviews`, 'reviewer', { outcome: 'approved' })
    await call('POST', `/v1/claims/${c}/decision`, 'officer', { outcome: 'approved' })
    const noCard = await call('POST', `/v1/claims/${c}/payment`, 'finance', { paymentRef: 'CZ-2' })
    expect(noCard.statusCode).toBe(422)
    expect(noCard.json().reasons[0].rule).toBe('card-account-registered')
    // The card service registered the card's account (here as it would have written it).
    await h.record([
      {
        id: uuidv7(),
        type: 'CardAccountRegistered',
        data: {
          worker: other,
          account: {
            kind: 'ssc_card',
            bankAccount: await h.keyRing.seal(other, 'account.bankAccount', '6217000130000123456'),
          },
          bank: 'ICBC',
          issuedIn: '130102',
          source: { system: 'hebei-ssc', ref: 'REG-1' },
        },
      },
    ])
    // The account must open under this worker's key: one sealed for another worker, or a
    // well-formed value that opens under no key, is refused naming the field, writing nothing.
    const atRefusal = await h.store.lastPosition()
    for (const bankAccount of [
      await h.keyRing.seal(worker, 'account.bankAccount', '6217000130000123456'),
      sealed,
    ]) {
      const refused = await call('POST', `/v1/claims/${c}/payment`, 'finance', {
        paymentRef: 'CZ-2',
        account: {
          kind: 'ssc_card',
          bankAccount: { ...bankAccount, kid: bankAccount === sealed ? other : bankAccount.kid },
        },
      })
      expect(refused.statusCode, refused.body).toBe(400)
      expect(refused.json().errors[0].path).toEqual(['body', 'account', 'bankAccount'])
    }
    // 持卡领补: an account of this worker that is not the card's, or any bank card, is refused.
    for (const [kind, number] of [
      ['ssc_card', '6217000130000999999'],
      ['bank_card', '6217000130000123456'],
    ]) {
      const refused = await call('POST', `/v1/claims/${c}/payment`, 'finance', {
        paymentRef: 'CZ-2',
        account: { kind, bankAccount: await h.keyRing.seal(other, 'account.bankAccount', number!) },
      })
      expect(refused.statusCode, refused.body).toBe(422)
      expect(refused.json().reasons[0].rule).toBe('card-account')
    }
    expect(await h.store.lastPosition()).toBe(atRefusal)
    const account = await h.keyRing.seal(other, 'account.bankAccount', '6217000130000123456')
    const paid = await call('POST', `/v1/claims/${c}/payment`, 'finance', {
      paymentRef: 'CZ-2',
      account: { kind: 'ssc_card', bankAccount: account },
    })
    expect(paid.statusCode, paid.body).toBe(201)
    const [payment] = (await h.store.readStream(`subsidy-${other}`)).filter((e) => e.type === 'SubsidyPaid')
    const paidTo = (payment!.data as { account: { bankAccount: unknown } }).account.bankAccount
    expect(await h.keyRing.open(paidTo, 'account.bankAccount', other)).toBe('6217000130000123456')
    const view = (await call('GET', `/v1/claims/${c}`, 'officer')).json()
    expect(view.payment).toMatchObject({ accountKind: 'ssc_card', amount: 150_000 })
    expect(JSON.stringify(view)).not.toContain(account.ct)
  })

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/claims',
        '/v1/claims/{claim}',
        '/v1/claims/{claim}/reviews',
        '/v1/claims/{claim}/decision',
        '/v1/claims/{claim}/payment',
        '/v1/claims/{claim}/clawback',
        '/v1/claims/{claim}/sanction-review',
        '/v1/classes/{class}/advances',
        '/v1/workers/{worker}/contribution-history',
      ]),
    )
  })

  it('answers an unknown claim 404 and a malformed id 400', async () => {
    expect((await call('GET', `/v1/claims/clm-${worker}-99`, 'investigator')).statusCode).toBe(404)
    expect((await call('GET', '/v1/claims/not-a-claim', 'investigator')).statusCode).toBe(400)
  })
})
