import { decodeRecorded } from '@trec/contracts'
import { cardNumberCheckCharacter, createPseudonymizer } from '@trec/privacy'
import {
  aggregateKpis,
  disbursementOfPayment,
  foldWorkerCompliance,
  type PaymentRecord,
  trainingOf,
} from '@trec/readmodels'
import { financeFile, testRuleSet } from '@trec/readmodels/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, harness, pseudonymSecret } from './harness.ts'

// 凡补必进、不进不补 on the read side: payments backed or not, KPIs, plan progress, employment
// facts, and the reconciliation of the finance department's disbursement file.

let h: Harness
let folded: PaymentRecord[]
beforeAll(async () => {
  h = await harness()
  const events = await h.events()
  folded = h.record.workers.flatMap((w) => foldWorkerCompliance(w, events, { rules: [testRuleSet] }).payments)
})
afterAll(async () => {
  await h.close()
})

const get = async (who: Parameters<Harness['token']>[0], url: string) =>
  h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await h.token(who)}` } })

/** Every page of a list, followed by its cursors (200 a page, the most a page holds). */
async function every(who: Parameters<typeof get>[0], url: string) {
  const items: PaymentRecord[] = []
  let body: { items: PaymentRecord[]; nextCursor?: string; summary?: unknown } | undefined
  let cursor: string | undefined
  do {
    const sep = url.includes('?') ? '&' : '?'
    const res = await get(
      who,
      `${url}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    expect(res.statusCode).toBe(200)
    body = res.json()
    items.push(...body!.items)
    cursor = body!.nextCursor
  } while (cursor)
  return { ...body!, items }
}

describe('GET /v1/compliance/payments', () => {
  it('shows every payment backed or not, with the reasons and cited evidence of each planted fault', async () => {
    const body = await every('auditor', '/v1/compliance/payments')
    expect(body.items).toHaveLength(h.record.payments.length)
    const byEvent = new Map(body.items.map((p: PaymentRecord) => [p.payment, p]))
    for (const planted of h.record.payments) {
      const p = byEvent.get(planted.event) as PaymentRecord
      expect(p.backed).toBe(planted.fault === null)
      expect(p.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(planted.expectedReasons))
      expect(p.cited.length).toBeGreaterThan(0)
    }
    const notBacked = h.record.payments.filter((p) => p.fault !== null).length
    expect(notBacked).toBeGreaterThan(0)
    expect(body.summary).toEqual({ backed: h.record.payments.length - notBacked, notBacked })
    const onlyBad = await every('auditor', '/v1/compliance/payments?backed=false')
    expect(onlyBad.items.map((p: PaymentRecord) => p.payment).sort()).toEqual(
      h.record.payments
        .filter((p) => p.fault !== null)
        .map((p) => p.event)
        .sort(),
    )
  })

  it("pages through the payments by an opaque cursor, and refuses a forged one, another list's, or over 200", async () => {
    const first = (await get('auditor', '/v1/compliance/payments?limit=5')).json()
    expect(first.items).toHaveLength(5)
    const second = (
      await get('auditor', `/v1/compliance/payments?limit=5&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json()
    expect(second.items[0].payment > first.items[4].payment).toBe(true)
    const [payload, tag] = first.nextCursor.split('.')
    const forged = `${Buffer.from(JSON.stringify({ list: 'payments', after: ['0'] })).toString('base64url')}.${tag}`
    const otherList = `${Buffer.from(JSON.stringify({ list: 'claims', after: ['0'] })).toString('base64url')}.${tag}`
    for (const cursor of [forged, otherList, `${payload}.AAAA`, 'nonsense']) {
      const res = await get('auditor', `/v1/compliance/payments?cursor=${encodeURIComponent(cursor)}`)
      expect(res.statusCode).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    expect((await get('auditor', '/v1/compliance/payments?limit=201')).statusCode).toBe(400)
  })

  it('shows a region-bound caller only its region, and refuses another', async () => {
    const own = await every('finance', '/v1/compliance/payments')
    expect(own.items.length).toBeGreaterThan(0)
    expect(own.items.every((p: PaymentRecord) => p.region!.startsWith('1301'))).toBe(true)
    expect(own.items.length).toBe(folded.filter((p) => p.region!.startsWith('1301')).length)
    // The summary counts the whole filter, whatever the page: by region, quarter and backing.
    const summaryOf = (ps: PaymentRecord[]) => ({
      backed: ps.filter((p) => p.backed).length,
      notBacked: ps.filter((p) => !p.backed).length,
    })
    expect(own.summary).toEqual(summaryOf(own.items))
    const quarter = own.items[0]!.quarter
    const inQuarter = own.items.filter((p) => p.quarter === quarter && !p.backed)
    const page = (
      await get('finance', `/v1/compliance/payments?quarter=${quarter}&backed=false&limit=1`)
    ).json()
    expect(page.summary).toEqual(summaryOf(inQuarter))
    const other = await get('finance', '/v1/compliance/payments?region=1306')
    expect(other.statusCode).toBe(403)
    const baoding = folded.find((p) => p.region!.startsWith('1306'))!
    expect((await get('finance', `/v1/compliance/payments/${baoding.payment}`)).statusCode).toBe(404)
    expect((await get('financeBaoding', `/v1/compliance/payments/${baoding.payment}`)).json()).toEqual(
      JSON.parse(JSON.stringify(baoding)),
    )
  })

  it('bounds an investigator that names a region, and logs every read of one payment (issue 20, finding 1)', async () => {
    const baoding = folded.find((p) => p.region!.startsWith('1306'))!
    const read = (token: string) =>
      h.app.inject({
        method: 'GET',
        url: `/v1/compliance/payments/${baoding.payment}`,
        headers: { authorization: `Bearer ${token}` },
      })
    const accessEvents = async () =>
      (await h.store.readStream(`access-${baoding.worker}`)).map((e) => decodeRecorded(e))
    const before = (await accessEvents()).length
    expect(
      (await read(await h.tokens.mint({ sub: 'inv-4401', role: 'investigator', region: '4401' }))).statusCode,
    ).toBe(404)
    expect(
      (await read(await h.tokens.mint({ sub: 'inv-1306', role: 'investigator', region: '1306' }))).statusCode,
    ).toBe(200)
    const logged = (await accessEvents()).slice(before)
    expect(logged.map((e) => [e.type, (e.data as { view: string }).view, e.actor.id])).toEqual([
      ['RecordAccessed', 'payment', 'inv-1306'],
    ])
  })

  it('is not for card services (403), nor for callers without a token (401)', async () => {
    expect((await get('cardService', '/v1/compliance/payments')).statusCode).toBe(403)
    expect((await h.app.inject({ method: 'GET', url: '/v1/compliance/payments' })).statusCode).toBe(401)
  })
})

describe('KPIs and plan progress', () => {
  it('answers 培训合格率, 取证率 and 就业创业成功率 per institution and quarter, as the folds compute them', async () => {
    const response = await get('officer', '/v1/compliance/kpis?by=institution,quarter')
    expect(response.statusCode).toBe(200)
    const events = await h.events()
    const completions = h.record.workers
      .flatMap((w) => foldWorkerCompliance(w, events, { rules: [testRuleSet] }).completions)
      .filter((c) => c.region!.startsWith('1301'))
    expect(response.json().rows).toEqual(aggregateKpis(completions, ['institution', 'quarter']))
    const [row] = response.json().rows
    expect(row.completions).toBeGreaterThan(0)
    expect(row.passRate).toBeGreaterThan(0)
    expect(row.certified.skill_level).toBeGreaterThan(0)
    expect(row.employed).toBeGreaterThan(0)
  })

  it('refuses an unknown dimension', async () => {
    const response = await get('auditor', '/v1/compliance/kpis?by=colour')
    expect(response.statusCode).toBe(400)
    expect(response.json().errors[0].path).toEqual(['query', 'by'])
  })

  it('compares subsidised person-times with the configured plan target', async () => {
    const response = await get('auditor', '/v1/compliance/plan-progress?region=130100&quarter=2021Q2')
    expect(response.statusCode).toBe(200)
    const claims = new Set(
      folded
        .filter((p) => p.quarter === '2021Q2' && p.region!.startsWith('1301') && p.clawedBack < p.amount)
        .map(trainingOf),
    )
    expect(response.json()).toMatchObject({
      region: '1301',
      quarter: '2021Q2',
      source: 'TEST plan, not seed data',
      personTimes: { target: 12, actual: claims.size, share: claims.size / 12 },
    })
    expect(response.json().byGroup.migrant_worker.target).toBe(5)
  })

  it('takes a yearly target an officer sets through the API, and counts the year one per subsidised training', async () => {
    const post = async (who: 'officer' | 'elsewhere', payload: unknown) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/plan-targets',
        headers: {
          authorization: `Bearer ${
            who === 'officer'
              ? await h.token('officer')
              : await h.tokens.mint({ sub: 'o-2', role: 'subsidy_officer', region: '1302' })
          }`,
        },
        payload: payload as Record<string, unknown>,
      })
    const target = {
      region: '1301',
      year: '2021',
      personTimes: 40,
      byGroup: { migrant_worker: 16 },
      source: 'TEST: not from the seeds; set by the region',
    }
    const before = await h.store.lastPosition()
    for (const bad of [
      { ...target, personTimes: 0 },
      { ...target, byGroup: { migrant_worker: 41 } },
      { ...target, year: '21' },
    ]) {
      const refused = await post('officer', bad)
      expect(refused.statusCode, refused.body).toBe(400)
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    expect((await post('elsewhere', target)).statusCode).toBe(403)
    expect(await h.store.lastPosition()).toBe(before)
    expect((await post('officer', { ...target, personTimes: 30 })).statusCode).toBe(201)
    expect((await post('officer', target)).statusCode).toBe(201)
    const [first, second] = await h.store.readStream('plan-13')
    expect(first).toMatchObject({ type: 'PlanTargetPublished', data: { province: '13', personTimes: 30 } })
    expect(second).toMatchObject({ data: { personTimes: 40 } })

    const response = await get('auditor', '/v1/compliance/plan-progress?region=130100&year=2021')
    expect(response.statusCode, response.body).toBe(200)
    const trainings = new Set(
      folded
        .filter(
          (p) => p.quarter.startsWith('2021') && p.region!.startsWith('1301') && p.clawedBack < p.amount,
        )
        .map(trainingOf),
    )
    expect(response.json()).toMatchObject({
      period: '2021',
      source: target.source,
      personTimes: { target: 40, actual: trainings.size },
      byGroup: { migrant_worker: { target: 16 } },
    })
    const neither = await get('auditor', '/v1/compliance/plan-progress?region=130100')
    expect(neither.statusCode).toBe(400)
  })
})

describe('POST /v1/employment/outcomes and /groups', () => {
  const card = (first17: string) => `${first17}${cardNumberCheckCharacter(first17)}`
  const number = card('13010219900101023')
  const worker = createPseudonymizer(pseudonymSecret).pseudonym(number)

  it('records an outcome named by card number under the worker’s pseudonym', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/v1/employment/outcomes',
      headers: { authorization: `Bearer ${await h.token('officer')}` },
      payload: {
        cardNumber: number,
        region: '130102',
        outcome: 'employed',
        source: 'employment_registration',
        sourceRef: 'JY-2021-0001',
        observedAt: '2021-06-01T00:00:00+08:00',
      },
    })
    expect(response.statusCode).toBe(201)
    expect(response.body).not.toContain(number)
    const [stored] = await h.store.readStream(`employment-${worker}`)
    expect(stored).toMatchObject({ type: 'EmploymentOutcomeObserved', data: { worker, outcome: 'employed' } })
    expect(JSON.stringify({ ...stored, position: String(stored!.position) })).not.toContain(number)
  })

  it('records a population group with its source and period', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/v1/employment/groups',
      headers: { authorization: `Bearer ${await h.token('officer')}` },
      payload: {
        worker,
        region: '130102',
        group: 'migrant_worker',
        source: { system: 'hebei-jinbao', ref: 'NMG-1' },
        validFrom: '2021-01-01',
      },
    })
    expect(response.statusCode).toBe(201)
    expect((await h.store.readStream(`employment-${worker}`)).map((e) => e.type)).toContain(
      'WorkerGroupAttested',
    )
  })

  it('needs exactly one of worker and card number, and the caller’s own region', async () => {
    const body = {
      region: '130102',
      outcome: 'employed',
      source: 'follow_up',
      sourceRef: 'F-1',
      observedAt: '2021-06-01T00:00:00+08:00',
    }
    const both = await h.app.inject({
      method: 'POST',
      url: '/v1/employment/outcomes',
      headers: { authorization: `Bearer ${await h.token('officer')}` },
      payload: { ...body, worker, cardNumber: number },
    })
    expect(both.statusCode).toBe(400)
    const elsewhere = await h.app.inject({
      method: 'POST',
      url: '/v1/employment/outcomes',
      headers: { authorization: `Bearer ${await h.token('officer')}` },
      payload: { ...body, worker, region: '130602' },
    })
    expect(elsewhere.statusCode).toBe(403)
  })
})

describe('POST /v1/compliance/reconciliation', () => {
  const upload = async (who: Parameters<Harness['token']>[0], csv: string, query = '') =>
    h.app.inject({
      method: 'POST',
      url: `/v1/compliance/reconciliation${query}`,
      headers: { authorization: `Bearer ${await h.token(who)}`, 'content-type': 'text/csv' },
      payload: csv,
    })

  it('finds every planted unrecorded, double and undisbursed payment in a generated finance file', async () => {
    const record = [
      ...folded.map(disbursementOfPayment),
      ...h.record.advances.map((a) => ({
        ...a,
        claim: null,
        payee: { kind: 'provider', id: a.provider },
        transfer: a.amount,
      })),
    ]
    const file = financeFile(record, { seed: 3, drop: 3, unrecorded: 4, duplicate: 2 })
    const response = await upload('auditor', file.csv, '?from=2021-04-01&to=2021-09-30')
    expect(response.statusCode).toBe(200)
    const report = response.json()
    expect(report.unrecorded.map((u: { paymentRef: string }) => u.paymentRef).sort()).toEqual(
      [...file.unrecorded].sort(),
    )
    expect(report.duplicateDisbursements.map((d: { paymentRef: string }) => d.paymentRef).sort()).toEqual(
      [...file.duplicated].sort(),
    )
    expect(report.notDisbursed.map((d: { event: string }) => d.event).sort()).toEqual(
      [...file.dropped].sort(),
    )
    const paidTwice = new Set(h.record.payments.filter((p) => p.fault === 'paid-twice').map((p) => p.claim))
    expect(paidTwice.size).toBeGreaterThan(0)
    expect(report.claimsPaidTwice.map((c: { claim: string }) => c.claim).sort()).toEqual(
      [...paidTwice].sort(),
    )
    expect(report.amountMismatches).toEqual([])
    expect(report.payeeMismatches).toEqual([])
    expect(report.summary.rows).toBe(record.length - 3 + 4 + 2)
  })

  it('finds a row whose amount is not what the record transferred (the advance already paid part)', async () => {
    const advanced = folded.find((p) => p.advanceApplied > 0)!
    const csv = `payment_ref,claim,payee_kind,payee_id,amount_fen\n${advanced.paymentRef},${advanced.claim},provider,${advanced.payee.id},${advanced.amount}\n`
    const report = (await upload('auditor', csv)).json()
    expect(report.amountMismatches).toEqual([
      {
        line: 2,
        paymentRef: advanced.paymentRef,
        event: advanced.payment,
        fileAmount: advanced.amount,
        recordAmount: advanced.transfer,
      },
    ])
  })

  it('answers problem+json naming the line and column of every problem, and reconciles nothing', async () => {
    const csv =
      'payment_ref,claim,payee_kind,payee_id,amount_yuan\nPAY-1,clm-1,provider,inst-1,12.345\nPAY-2,clm-2,someone,inst-1,1\n'
    const response = await upload('finance', csv)
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json()).toMatchObject({
      code: 'TREC_VALIDATION',
      errors: [
        {
          path: ['body', 2, 'amount_yuan'],
          code: 'invalid_amount',
          message: expect.stringMatching(/^line 2, column 5 \(amount_yuan\)/),
        },
        {
          path: ['body', 3, 'payee_kind'],
          code: 'invalid_payee_kind',
          message: expect.stringMatching(/^line 3, column 3 \(payee_kind\)/),
        },
      ],
    })
  })

  it('matches only the caller’s region for region-bound finance', async () => {
    const baoding = folded.find((p) => p.region!.startsWith('1306'))!
    const csv = `payment_ref,claim,payee_kind,payee_id,amount_fen\n${baoding.paymentRef},${baoding.claim},provider,${baoding.payee.id},${baoding.transfer}\n`
    expect((await upload('financeBaoding', csv)).json().summary.matched).toBe(1)
    expect((await upload('finance', csv)).json().summary.unrecorded).toBe(1)
    expect((await upload('finance', csv, '?region=1306')).statusCode).toBe(403)
  })

  it('takes only CSV, from finance or auditors, and no Idempotency-Key', async () => {
    const json = await h.app.inject({
      method: 'POST',
      url: '/v1/compliance/reconciliation',
      headers: { authorization: `Bearer ${await h.token('auditor')}` },
      payload: { rows: [] },
    })
    expect(json.statusCode).toBe(415)
    expect((await upload('officer', 'payment_ref\n')).statusCode).toBe(403)
    const keyed = await h.app.inject({
      method: 'POST',
      url: '/v1/compliance/reconciliation',
      headers: {
        authorization: `Bearer ${await h.token('auditor')}`,
        'content-type': 'text/csv',
        'idempotency-key': 'k1',
      },
      payload: 'payment_ref,payee_kind,payee_id,amount_fen\n',
    })
    expect(keyed.statusCode).toBe(400)
  })
})
