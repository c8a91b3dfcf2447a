import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callers, type Harness, harness } from './harness.ts'
import { cls, fullRecord, institution, worker } from './record.ts'

// Every route: no token 401, a wrong role 403, a caller outside the resource's institution or
// region 403, an invalid body 400 naming the fields; none of them appends anything.

type Who = keyof typeof callers
interface Route {
  name: string
  method: 'GET' | 'POST'
  url: () => string
  body?: object
  allowed: Who
  wrongRole: Who[]
  outOfScope: { who: Who; body?: object }[]
  invalid?: { body: object; paths: string[] }
}

let claim = ''
const providerClaim = {
  worker,
  region: '130100',
  kind: 'training',
  payee: { kind: 'provider', id: institution },
  amount: 220_000,
  class: cls,
}
const attestation = {
  region: '130100',
  months: 27,
  asOf: '2021-06-01',
  enterpriseEmployee: true,
  source: { system: 'hebei-jinbao', ref: 'SI-1' },
}

const routes: Route[] = [
  {
    name: 'submit a claim',
    method: 'POST',
    url: () => '/v1/claims',
    body: providerClaim,
    allowed: 'staff',
    wrongRole: ['device', 'finance', 'reviewer'],
    outOfScope: [
      { who: 'otherStaff' },
      { who: 'staff', body: { ...providerClaim, payee: { kind: 'worker', id: worker } } },
      { who: 'officer' },
      { who: 'officerElsewhere', body: { ...providerClaim, payee: { kind: 'worker', id: worker } } },
    ],
    invalid: {
      body: { worker: 'Zhang San', amount: -1, kind: 'bonus', surprise: 1 },
      paths: ['body.worker', 'body.amount', 'body.kind', 'body.region', 'body.payee'],
    },
  },
  {
    name: 'review a claim',
    method: 'POST',
    url: () => `/v1/claims/${claim}/reviews`,
    body: { outcome: 'approved' },
    allowed: 'reviewer',
    wrongRole: ['finance', 'officer'],
    outOfScope: [
      { who: 'reviewerElsewhere' },
      { who: 'reviewer', body: { outcome: 'approved', thirdParty: true } },
    ],
    invalid: { body: { outcome: 'maybe', reasons: 'none' }, paths: ['body.outcome', 'body.reasons'] },
  },
  {
    name: 'decide a claim',
    method: 'POST',
    url: () => `/v1/claims/${claim}/decision`,
    body: { outcome: 'rejected', reasons: ['材料不实'] },
    allowed: 'officer',
    wrongRole: ['reviewer', 'finance'],
    outOfScope: [{ who: 'officerElsewhere' }],
    invalid: { body: { outcome: 'rejected', approvedAmount: 0 }, paths: ['body.approvedAmount'] },
  },
  {
    name: 'pay a claim',
    method: 'POST',
    url: () => `/v1/claims/${claim}/payment`,
    body: { paymentRef: 'CZ-1' },
    allowed: 'finance',
    wrongRole: ['officer', 'reviewer'],
    outOfScope: [{ who: 'financeElsewhere' }],
    invalid: {
      body: { paymentRef: '', account: { kind: 'ssc_card', bankAccount: '6222020200112233445' } },
      paths: ['body.paymentRef', 'body.account.bankAccount'],
    },
  },
  {
    name: 'claw back a claim',
    method: 'POST',
    url: () => `/v1/claims/${claim}/clawback`,
    body: { reason: 'other' },
    allowed: 'officer',
    wrongRole: ['finance', 'investigator'],
    outOfScope: [{ who: 'officerElsewhere' }],
    invalid: { body: { reason: 'mood', amount: 0 }, paths: ['body.reason', 'body.amount'] },
  },
  {
    name: 'advance to a class',
    method: 'POST',
    url: () => `/v1/classes/${cls}/advances`,
    body: { subsidyTotal: 440_000, paymentRef: 'CZ-A1' },
    allowed: 'finance',
    wrongRole: ['officer', 'staff'],
    outOfScope: [{ who: 'financeElsewhere' }, { who: 'harbinFinance' }],
    invalid: {
      body: { subsidyTotal: 1.5, share: 2 },
      paths: ['body.subsidyTotal', 'body.share', 'body.paymentRef'],
    },
  },
  {
    name: 'attest contributions',
    method: 'POST',
    url: () => `/v1/workers/${worker}/contribution-history`,
    body: attestation,
    allowed: 'finance',
    wrongRole: ['reviewer', 'staff'],
    outOfScope: [{ who: 'officerElsewhere' }],
    invalid: {
      body: { ...attestation, months: -1, asOf: '2021-13-01' },
      paths: ['body.months', 'body.asOf'],
    },
  },
  {
    name: 'read a claim',
    method: 'GET',
    url: () => `/v1/claims/${claim}`,
    allowed: 'investigator',
    wrongRole: ['staff', 'device'],
    outOfScope: [{ who: 'officerElsewhere' }, { who: 'reviewerElsewhere' }],
  },
]

describe('access to the subsidy routes', () => {
  let h: Harness
  const send = async (route: Route, token: string | null, body = route.body) =>
    h.app.inject({
      method: route.method,
      url: route.url(),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body ? { payload: body } : {}),
    })

  beforeAll(async () => {
    h = await harness()
    await h.record(fullRecord())
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/claims',
      headers: { authorization: `Bearer ${await h.token('staff')}` },
      payload: providerClaim,
    })
    claim = res.json().claim
  })
  afterAll(() => h.close())

  describe.each(routes.map((r) => [r.name, r] as const))('%s', (_, route) => {
    it('answers 401 without a token or with one not signed by a trusted key', async () => {
      const before = await h.store.lastPosition()
      expect((await send(route, null)).statusCode).toBe(401)
      const bad = await h.tokens.bad(callers[route.allowed])
      const res = await send(route, bad['wrong key']!)
      expect(res.statusCode).toBe(401)
      expect(res.json().code).toBe('TREC_UNAUTHENTICATED')
      expect(await h.store.lastPosition()).toBe(before)
    })

    it('answers 403 to a role that may not call it', async () => {
      for (const who of route.wrongRole) {
        const res = await send(route, await h.token(who))
        expect(res.statusCode, who).toBe(403)
        expect(res.json()).toMatchObject({ code: 'TREC_FORBIDDEN', reason: 'role' })
      }
    })

    it('answers 403 to a caller outside the institution or region, appending nothing', async () => {
      const before = await h.store.lastPosition()
      for (const { who, body } of route.outOfScope) {
        const res = await send(route, await h.token(who), body ?? route.body)
        expect(res.statusCode, `${who}: ${res.body}`).toBe(403)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      }
      expect(await h.store.lastPosition()).toBe(before)
    })

    if (route.invalid) {
      const invalid = route.invalid
      it('answers 400 naming each invalid field, appending nothing', async () => {
        const before = await h.store.lastPosition()
        const res = await send(route, await h.token(route.allowed), invalid.body)
        expect(res.statusCode, res.body).toBe(400)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
        const paths = res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))
        expect(paths).toEqual(expect.arrayContaining(invalid.paths))
        expect(await h.store.lastPosition()).toBe(before)
      })
    }
  })
})
