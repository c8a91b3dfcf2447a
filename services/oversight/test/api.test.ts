import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recomputeSample } from '../src/sampling/recompute-sample.ts'
import { type AppHarness, call, oversightApp } from './support/app.ts'
import { allEvents } from './support/embedded.ts'
import { History } from './support/history.ts'
import { ann, bob, cai, investigationRecord } from './support/investigation.ts'

// The investigator's API over app.inject with real signed tokens: who may call what, the trace of
// a claim, alerts, case files and 双随机 sampling runs.

let h: AppHarness
let record: ReturnType<typeof investigationRecord>
let investigator: string

beforeAll(async () => {
  h = await oversightApp()
  const history = new History()
  record = investigationRecord(history)
  await history.appendTo(h.store)
  await h.side.catchUp()
  investigator = await h.tokens.mint({ sub: 'inv-7', role: 'investigator' })
})
afterAll(async () => {
  await h.app.close()
})

const routes: ['GET' | 'POST', string][] = [
  ['GET', '/v1/oversight/claims/clm-ann-1/trace'],
  ['GET', '/v1/oversight/alerts'],
  ['GET', '/v1/oversight/cases'],
  ['POST', '/v1/oversight/cases'],
  ['POST', '/v1/oversight/sampling-runs'],
]

describe('who may call', () => {
  it('answers 401 to a missing, malformed, expired, foreign or unsigned token on every route', async () => {
    const bad = await h.tokens.bad({ sub: 'inv-7', role: 'investigator' })
    for (const [method, url] of routes)
      for (const [why, token] of Object.entries(bad)) {
        const res = await call(h.app, method, url, token, method === 'POST' ? {} : undefined)
        expect([why, url, res.statusCode]).toEqual([why, url, 401])
        expect(res.headers['content-type']).toContain('application/problem+json')
      }
  })

  it('answers 403 to roles that do not investigate, and to an investigator of another region', async () => {
    for (const role of ['institution_staff', 'card_service', 'subsidy_officer', 'auditor'] as const) {
      const token = await h.tokens.mint({ sub: 'someone', role, region: '13', institution: 'inst-130102-1' })
      const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-ann-1/trace', token)
      expect([role, res.statusCode]).toEqual([role, 403])
    }
    const baoding = await h.tokens.mint({ sub: 'inv-bd', role: 'investigator', region: '1306' })
    const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-ann-1/trace', baoding)
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'TREC_FORBIDDEN' })
  })
})

describe('GET /v1/oversight/claims/:claim/trace', () => {
  it('traces the claim to its payment, the evidence in the log before it, the class, the institution and who shares a face', async () => {
    const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-ann-1/trace', investigator)
    expect(res.statusCode).toBe(200)
    const trace = res.json()
    expect(trace.claim).toMatchObject({
      claim: 'clm-ann-1',
      worker: ann,
      status: 'paid',
      paidAmount: 150_000,
    })
    expect(trace.events.map((e: { type: string }) => e.type)).toEqual([
      'SubsidyClaimSubmitted',
      'SubsidyPaid',
    ])
    const [payment] = trace.payments
    expect(payment.evidence.map((e: { id: string }) => e.id)).toEqual(record.evidence)
    expect(payment.evidence.every((e: { inLogBeforePayment: boolean }) => e.inLogBeforePayment)).toBe(true)
    expect(payment.unresolvedEvidence).toEqual([record.missingEvidence])
    expect(payment.evidenceByType).toEqual({
      IdentityVerified: 1,
      WorkerEnrolled: 1,
      FaceCheckRecorded: 3,
      TrainingCompleted: 1,
      CertificateIssued: 1,
    })
    expect(trace.class).toMatchObject({
      class: 'cls-a',
      institution: 'inst-130102-1',
      sessions: 3,
      rosterSize: 3,
    })
    expect(trace.institution).toMatchObject({ institution: 'inst-130102-1', region: '130102' })
    expect(trace.sharing.classmates.sort()).toEqual([bob, cai].sort())
    expect(trace.sharing.templates).toEqual([{ templateHash: record.templateHash, workers: [bob], total: 1 }])
    expect(trace.sharing.devices[0].workers.sort()).toEqual([bob, cai].sort())
    expect(
      trace.alerts.map((a: { rule: string; subject: { kind: string } }) => [a.rule, a.subject.kind]),
    ).toEqual([['R6', 'template']])
  })

  it('shows pseudonyms only: no sealed personal data reaches the investigator', async () => {
    const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-ann-1/trace', investigator)
    expect(res.body).not.toContain('A256GCM')
    expect(res.body).not.toMatch(/"(name|idNumber|phone|bankAccount)"/)
  })

  it('logs the read in the worker’s access stream before answering; a read with no case is flagged and raises R13', async () => {
    const before = (await h.store.readStream(`access-${ann}`)).length
    const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-ann-1/trace', investigator)
    const log = await h.store.readStream(`access-${ann}`)
    expect(log).toHaveLength(before + 1)
    const last = log[log.length - 1]!
    expect(last.id).toBe(res.json().access.event)
    expect(last.data).toMatchObject({
      worker: ann,
      purpose: 'fraud_case',
      flags: ['no_case_ref'],
      client: 'inv-7',
    })
    expect(last.metadata).toMatchObject({ actor: { kind: 'investigator', id: 'inv-7' } })
    await h.side.catchUp()
    const alerts = await call(h.app, 'GET', '/v1/oversight/alerts?rule=R13', investigator)
    expect(alerts.json().items.map((a: { subject: unknown }) => a.subject)).toEqual([
      { kind: 'actor', id: 'inv-7' },
    ])
  })

  it('refuses a read citing a case that does not exist or does not concern the claim (403), and names the case it was for when it does', async () => {
    const before = (await h.store.readStream(`access-${ann}`)).length
    const unknown = await call(
      h.app,
      'GET',
      '/v1/oversight/claims/clm-ann-1/trace?case=case-nowhere',
      investigator,
    )
    expect(unknown.statusCode).toBe(403)
    const opened = async (subjects: { kind: string; id: string }[]) =>
      (
        await call(h.app, 'POST', '/v1/oversight/cases', investigator, {
          title: '代签到核查',
          region: '130102',
          basis: 'tip_off',
          subjects,
        })
      ).json().case as string
    const aboutBob = await opened([{ kind: 'worker', id: bob }])
    const elsewhere = await call(
      h.app,
      'GET',
      `/v1/oversight/claims/clm-ann-1/trace?case=${aboutBob}`,
      investigator,
    )
    expect(elsewhere.statusCode).toBe(403)
    expect(elsewhere.json()).toMatchObject({ reason: 'cited case does not concern this claim' })
    expect(await h.store.readStream(`access-${ann}`)).toHaveLength(before)
    const caseId = await opened([{ kind: 'claim', id: 'clm-ann-1' }])
    const res = await call(h.app, 'GET', `/v1/oversight/claims/clm-ann-1/trace?case=${caseId}`, investigator)
    expect(res.statusCode).toBe(200)
    const log = await h.store.readStream(`access-${ann}`)
    expect(log[log.length - 1]!.data).toMatchObject({ caseRef: caseId, flags: [] })
  })

  it('answers 404 for a claim the record does not hold', async () => {
    const res = await call(h.app, 'GET', '/v1/oversight/claims/clm-none/trace', investigator)
    expect(res.statusCode).toBe(404)
  })
})

describe('alerts', () => {
  it('lists and filters alerts, pages by feed position, and shows one with its evidence', async () => {
    const all = (await call(h.app, 'GET', '/v1/oversight/alerts?limit=200', investigator)).json().items
    expect(all.length).toBeGreaterThan(0)
    const r6 = (
      await call(h.app, 'GET', `/v1/oversight/alerts?rule=R6&subjectKind=template`, investigator)
    ).json()
    expect(r6.items).toHaveLength(1)
    expect(r6.items[0]).toMatchObject({
      rule: 'R6',
      subject: { kind: 'template', id: record.templateHash },
      status: 'open',
    })
    const page = (await call(h.app, 'GET', '/v1/oversight/alerts?limit=1', investigator)).json()
    expect(page.items).toHaveLength(1)
    if (all.length > 1) {
      const cursor = encodeURIComponent(page.nextCursor)
      const next = (
        await call(h.app, 'GET', `/v1/oversight/alerts?limit=1&cursor=${cursor}`, investigator)
      ).json()
      expect(next.items[0].alert).toBe(all[1].alert)
      // A cursor of another list (cases) is refused, naming the field.
      const cases = (await call(h.app, 'GET', '/v1/oversight/alerts?limit=1&cursor=x.y', investigator)).json()
      expect(cases.status).toBe(400)
    }
    const auditor = await h.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    const one = await call(h.app, 'GET', `/v1/oversight/alerts/${r6.items[0].alert}`, auditor)
    expect(one.statusCode).toBe(200)
    expect(one.json().evidence.length).toBe(2)
    const elsewhere = await h.tokens.mint({ sub: 'inv-bd', role: 'investigator', region: '1306' })
    expect((await call(h.app, 'GET', '/v1/oversight/alerts', elsewhere)).json().items).toEqual([])
  })

  it('resolves an alert once, naming the case it went to', async () => {
    const [alert] = (await call(h.app, 'GET', '/v1/oversight/alerts?rule=R6', investigator)).json().items
    const opened = await call(h.app, 'POST', '/v1/oversight/cases', investigator, {
      title: '同一人脸模板多人签到',
      region: '130102',
      basis: 'alert',
      alerts: [alert.alert],
    })
    expect(opened.statusCode).toBe(201)
    const url = `/v1/oversight/alerts/${alert.alert}/resolution`
    const unnamed = await call(h.app, 'POST', url, investigator, { resolution: 'confirmed', note: '核实' })
    expect(unnamed.statusCode).toBe(400)
    const confirmed = await call(h.app, 'POST', url, investigator, {
      resolution: 'confirmed',
      case: opened.json().case,
      note: '现场核实：代签到',
    })
    expect(confirmed.statusCode).toBe(201)
    const again = await call(h.app, 'POST', url, investigator, { resolution: 'dismissed', note: '重复' })
    expect(again.statusCode).toBe(422)
    expect(again.json().reasons[0].rule).toBe('alert-open')
    await h.side.catchUp()
    const after = (await call(h.app, 'GET', `/v1/oversight/alerts/${alert.alert}`, investigator)).json()
    expect(after).toMatchObject({ status: 'confirmed', case: opened.json().case })
  })

  it('answers a resolution retried after its answer was lost as the first attempt did', async () => {
    const { items: alerts } = (
      await call(h.app, 'GET', '/v1/oversight/alerts?status=open', investigator)
    ).json()
    const alert = alerts.find((a: { rule: string }) => a.rule !== 'R6') ?? alerts[0]
    const url = `/v1/oversight/alerts/${alert.alert}/resolution`
    const body = { resolution: 'dismissed', note: '核查后排除' }
    const key = { 'idempotency-key': 'resolve-lost-1' }
    const first = await call(h.app, 'POST', url, investigator, body, key)
    expect(first.statusCode, first.body).toBe(201)
    // What a crash between the commit and the recording of the answer leaves.
    await h.db.query(
      `update trec_http.idempotency set status = null, body = null, created_at = '-infinity' where key = $1`,
      [key['idempotency-key']],
    )
    const retry = await call(h.app, 'POST', url, investigator, body, key)
    expect(retry.statusCode, retry.body).toBe(201)
    expect(retry.json()).toEqual(first.json())
    expect(await h.store.readStream(`oversight-${alert.alert}`)).toHaveLength(2)
  })
})

describe('case files', () => {
  it('runs a case from opening to closing, refusing a sanction before findings and a clawback above what was paid', async () => {
    const opened = await call(h.app, 'POST', '/v1/oversight/cases', investigator, {
      title: '新航学校 电工班',
      region: '130102',
      basis: 'tip_off',
      subjects: [{ kind: 'institution', id: 'inst-130102-1' }],
    })
    expect(opened.statusCode).toBe(201)
    const base = `/v1/oversight/cases/${opened.json().case}`
    const link = await call(h.app, 'POST', `${base}/evidence`, investigator, {
      evidence: record.evidence.slice(0, 3),
    })
    expect(link.statusCode).toBe(201)
    const relink = await call(h.app, 'POST', `${base}/evidence`, investigator, {
      evidence: record.evidence.slice(0, 3),
    })
    expect(relink.json().reasons[0].rule).toBe('evidence-new')
    const early = await call(h.app, 'POST', `${base}/sanctions`, investigator, {
      target: { kind: 'institution', id: 'inst-130102-1' },
      sanction: 'delisting',
      note: '虚假培训',
    })
    expect(early.statusCode).toBe(422)
    expect(early.json().reasons[0].rule).toBe('findings-support-action')
    const findings = await call(h.app, 'POST', `${base}/findings`, investigator, {
      conclusion: 'fraud_confirmed',
      findings: '学员未到场，他人代签',
      evidence: [record.paid.id],
    })
    expect(findings.statusCode).toBe(201)
    const sanction = await call(h.app, 'POST', `${base}/sanctions`, investigator, {
      target: { kind: 'institution', id: 'inst-130102-1' },
      sanction: 'delisting',
      note: 'D1 清退',
    })
    expect(sanction.statusCode).toBe(201)
    const tooMuch = await call(h.app, 'POST', `${base}/clawback-requests`, investigator, {
      claim: 'clm-ann-1',
      amount: 150_001,
      reason: 'false_training',
    })
    expect(tooMuch.json().reasons[0]).toMatchObject({ rule: 'clawback-amount' })
    const clawback = await call(h.app, 'POST', `${base}/clawback-requests`, investigator, {
      claim: 'clm-ann-1',
      amount: 150_000,
      reason: 'false_training',
      evidence: [record.paid.id],
    })
    expect(clawback.statusCode).toBe(201)
    const twice = await call(h.app, 'POST', `${base}/clawback-requests`, investigator, {
      claim: 'clm-ann-1',
      amount: 1,
      reason: 'false_training',
    })
    expect(twice.statusCode).toBe(422)
    expect(
      (await call(h.app, 'POST', `${base}/closure`, investigator, { outcome: 'substantiated' })).statusCode,
    ).toBe(201)
    const late = await call(h.app, 'POST', `${base}/evidence`, investigator, { evidence: [record.paid.id] })
    expect(late.json().reasons[0].rule).toBe('case-open')

    const file = (await call(h.app, 'GET', base, investigator)).json()
    expect(file).toMatchObject({ status: 'closed', conclusion: 'fraud_confirmed', outcome: 'substantiated' })
    expect(file.events.map((e: { type: string }) => e.type)).toEqual([
      'CaseOpened',
      'CaseEvidenceLinked',
      'CaseFindingsRecorded',
      'CaseSanctionDecided',
      'ClawbackRequested',
      'CaseClosed',
    ])
    await h.side.catchUp()
    const list = (await call(h.app, 'GET', '/v1/oversight/cases?status=closed', investigator)).json().items
    expect(list.map((c: { case: string }) => c.case)).toContain(opened.json().case)
    expect(list[0]).toHaveProperty('openedAt')
  })

  it('opens one case for two copies of one request (Idempotency-Key)', async () => {
    const body = { title: '重复提交', region: '130102', basis: 'other' }
    const headers = { 'idempotency-key': 'open-case-1' }
    const a = await call(h.app, 'POST', '/v1/oversight/cases', investigator, body, headers)
    const b = await call(h.app, 'POST', '/v1/oversight/cases', investigator, body, headers)
    expect(b.json().case).toBe(a.json().case)
    expect(await h.store.readStream(`oversight-${a.json().case}`)).toHaveLength(1)
  })

  it('opens one case for two copies of one request without a key (idempotent by content)', async () => {
    const body = { title: '重复提交（无幂等键）', region: '130102', basis: 'other' }
    const a = await call(h.app, 'POST', '/v1/oversight/cases', investigator, body)
    const b = await call(h.app, 'POST', '/v1/oversight/cases', investigator, body)
    expect(a.statusCode).toBe(201)
    expect(b.statusCode).toBe(201)
    expect(b.json()).toEqual(a.json())
    expect(await h.store.readStream(`oversight-${a.json().case}`)).toHaveLength(1)
    const other = await call(h.app, 'POST', '/v1/oversight/cases', investigator, { ...body, title: '另一案' })
    expect(other.json().case).not.toBe(a.json().case)
  })

  it("pages cases newest first by cursor, inside the token's region", async () => {
    await h.side.catchUp()
    const first = (await call(h.app, 'GET', '/v1/oversight/cases?limit=1', investigator)).json()
    expect(first.items).toHaveLength(1)
    const cursor = encodeURIComponent(first.nextCursor)
    const second = (
      await call(h.app, 'GET', `/v1/oversight/cases?limit=1&cursor=${cursor}`, investigator)
    ).json()
    expect(second.items[0].case).not.toBe(first.items[0].case)
    expect(second.items[0].openedAt <= first.items[0].openedAt).toBe(true)
    const alertsCursor = (await call(h.app, 'GET', '/v1/oversight/alerts?limit=1', investigator)).json()
      .nextCursor
    const refused = await call(
      h.app,
      'GET',
      `/v1/oversight/cases?cursor=${encodeURIComponent(alertsCursor)}`,
      investigator,
    )
    expect(refused.statusCode).toBe(400)
    expect((await call(h.app, 'GET', '/v1/oversight/cases?limit=201', investigator)).statusCode).toBe(400)
  })

  it('refuses to open a case on alerts the record does not hold, or in another region', async () => {
    const res = await call(h.app, 'POST', '/v1/oversight/cases', investigator, {
      title: 'x',
      region: '130102',
      basis: 'alert',
      alerts: ['alert-R4-00000000000000000000000000000000'],
    })
    expect(res.json().reasons[0].rule).toBe('alerts-exist')
    const baoding = await h.tokens.mint({ sub: 'inv-bd', role: 'investigator', region: '1306' })
    const other = await call(h.app, 'POST', '/v1/oversight/cases', baoding, {
      title: 'x',
      region: '130102',
      basis: 'other',
    })
    expect(other.statusCode).toBe(403)
  })
})

describe('双随机 sampling runs', () => {
  const seed = 'b1'.repeat(32)

  it('records the seed, the population and its digest, and a selection anyone can recompute', async () => {
    const officer = await h.tokens.mint({ sub: 'sbo-1301', role: 'subsidy_officer', region: '1301' })
    const res = await call(h.app, 'POST', '/v1/oversight/sampling-runs', officer, {
      population: { kind: 'institutions', region: '130100', from: '2024-04-01', to: '2024-06-30' },
      size: 2,
      seed,
      inspectors: { pool: ['insp-3', 'insp-1', 'insp-2'], perTarget: 2 },
    })
    expect(res.statusCode).toBe(201)
    const run = res.json()
    expect(run.populationSize).toBe(3)
    const [stored] = await h.store.readStream(`oversight-${run.run}`)
    const data = stored!.data as {
      populationIds: string[]
      selected: string[]
      seed: string
      populationDigest: string
    }
    expect(data.populationIds).toEqual(['inst-130102-1', 'inst-130102-2', 'inst-130104-3'])
    const again = recomputeSample(data.seed, data.populationIds, 2, {
      pool: ['insp-1', 'insp-2', 'insp-3'],
      perTarget: 2,
    })
    expect(again.selected).toEqual(data.selected)
    expect(again.populationDigest).toBe(data.populationDigest)
    expect(run.assignments).toEqual(again.assignments)

    const auditor = await h.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    const read = (await call(h.app, 'GET', `/v1/oversight/sampling-runs/${run.run}`, auditor)).json()
    expect(read.verification).toEqual({
      populationDigestMatches: true,
      selectionMatches: true,
      assignmentsMatch: true,
    })
  })

  it('draws the seed when none is given and records it; classes are a population too', async () => {
    const res = await call(h.app, 'POST', '/v1/oversight/sampling-runs', investigator, {
      population: { kind: 'classes', region: '130000', from: '2024-04-01', to: '2024-04-30' },
      size: 5,
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ populationSize: 1, selected: ['cls-a'] })
    expect(res.json().seed).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses an officer of another region (403)', async () => {
    const officer = await h.tokens.mint({ sub: 'sbo-1306', role: 'subsidy_officer', region: '1306' })
    const res = await call(h.app, 'POST', '/v1/oversight/sampling-runs', officer, {
      population: { kind: 'institutions', region: '130100', from: '2024-04-01', to: '2024-06-30' },
      size: 1,
    })
    expect(res.statusCode).toBe(403)
  })

  it('leaves every alert event in the log exactly once after all of the above', async () => {
    await h.side.catchUp()
    const raised = (await allEvents(h.store)).filter((e) => e.type === 'FraudAlertRaised')
    expect(new Set(raised.map((e) => e.stream)).size).toBe(raised.length)
  })
})
