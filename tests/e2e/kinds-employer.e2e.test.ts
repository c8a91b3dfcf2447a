// 项目制培训, 企业新型学徒制 and 以工代训 over real HTTP on the embedded start. An officer of 长安区
// publishes a set naming the three kinds, each with its payee, evidence and amount (amounts the
// seeds do not give are labelled defaults: not from the seeds; set by the region):
//
// - 项目制培训 (`project_training`): the government buys a programme (the catalogue entry the
//   authority publishes for the kind, at its price per person); paid to the provider.
// - 企业新型学徒制 (`apprenticeship`): paid to the enterprise, by the region where it is registered;
//   the class names a school as its other training base; a yearly amount per apprentice (D2: ¥4,000
//   for 中级工), at least half of it advanced to the enterprise and settled against the claim.
// - 以工代训 (`work_based_training`): paid to the employer per person per month of its employment
//   records (参保) since the training began, for the groups D3 names, on the training record too.
//
// Each kind is paid end to end, citing the set; each is refused, with every missing piece named
// in problem+json, for a worker (or a class) without them, and nothing is written to the
// worker's subsidy stream. Today's 职业培训补贴 and 技能提升补贴 are refused the same way (their
// paid paths are in subsidised-training.e2e.test.ts). Compliance backs the three payments.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { usccCheckCharacter } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { at, day } from './support/china-days.ts'
import type { Client, Who } from './support/client.ts'
import { eventually } from './support/eventually.ts'
import { programmeBody } from './support/programme.ts'
import {
  accepted,
  attendAndComplete,
  card,
  enrol,
  type Occupation,
  type OpenedClass,
  occupations,
  people,
  session,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

const officer = people.officer
const provider = 'inst-130102-0311'
const enterprise = 'ent-130102-0501'
const college = 'col-130102-0020'
/** An enterprise registered in 桥西区 (130104), whose 长安区 claim the 长安区 authority does not pay. */
const elsewhere = 'ent-130104-0777'
const perMonth = 50_000

function uscc(seq: number, region: string): string {
  const first17 = `91${region}MA${String(seq).padStart(7, '0')}`
  return first17 + usccCheckCharacter(first17)
}

async function institution(http: Client, id: string, region: string, kinds: string[], seq: number) {
  accepted(
    await http.post('/v1/institutions', people.admin, {
      institution: id,
      legalName: `石家庄市测试单位${seq}`,
      uscc: uscc(seq, region),
      region,
      kinds,
      effectiveFrom: '2021-01-01',
    }),
  )
}

async function programme(http: Client, o: Occupation, kind: string, amount: number): Promise<string> {
  return accepted(
    await http.post('/v1/programmes', officer, {
      ...programmeBody(o, day(-90), day(60)),
      subsidyKind: kind,
      amount,
    }),
  ).programme
}

/** 开班申请 (naming a second training base when given), 培训前审核 and 开班. */
async function openClass(
  http: Client,
  inst: string,
  prog: string,
  days: string[],
  jointBase?: string,
): Promise<OpenedClass> {
  const staff = people.staff(inst)
  const id = accepted(
    await http.post('/v1/classes', staff, {
      institution: inst,
      programme: prog,
      mode: 'offline',
      plannedHours: 3.5 * days.length,
      capacity: 30,
      sessions: days.map((d) => session(d)),
      teachers: [{ teacher: 'tch-130100-1187' }],
      ...(jointBase ? { jointBase } : {}),
    }),
  ).class as string
  accepted(await http.post(`/v1/classes/${id}/review`, officer, { outcome: 'passed' }))
  accepted(await http.post(`/v1/classes/${id}/opening`, staff, {}))
  const view = accepted(await http.get(`/v1/classes/${id}`, staff), 200)
  expect(view.jointBase).toBe(jointBase)
  return { id, institution: inst, sessions: view.sessions }
}

const groups = (source: string, accepted: { group: string; evidence: string }[]) => ({ source, accepted })

function employerKindsSet() {
  return {
    id: 'changan-qiye',
    title: '长安区 项目制培训, 企业新型学徒制, 以工代训',
    region: '130102',
    validFrom: day(-1),
    validTo: '2027-12-31',
    source: 'A test county standard (not from the seeds; set by the region).',
    shortageOccupations: { source: 'none listed', codes: [] },
    kinds: {
      // Today's kinds, for the refusals that name every missing piece of them too.
      training: {
        source: 'D2 就业技能培训 ceiling (¥2,200) as in the shipped 石家庄 set',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson: 220_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
      },
      skill_upgrade: {
        source: 'D2 技能提升补贴 as in the shipped 石家庄 set',
        payees: ['worker'],
        amount: { basis: 'level', byLevel: { '5': 100_000, '4': 150_000, '3': 200_000 } },
        requires: { enrolment: false, attendance: false, completion: false, certificate: true },
        certificateKinds: ['occupational_qualification', 'skill_level'],
        contribution: { minMonths: 12, enterpriseEmployee: true },
      },
      project_training: {
        source:
          '项目制 training (D0, D3, D4) bought by the government (D0 政府购买服务): the price is the catalogue entry’s; the cap is not from the seeds; set by the region',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson: 220_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
        programmeOfKind: true,
      },
      apprenticeship: {
        source:
          'D2: 「给予企业每人每年中级工4000元、高级工6000元」; D1: 「由企业所在地政府按规定拨付培训补贴」; the two bases as the region sets them',
        payees: ['enterprise'],
        amount: { basis: 'level', byLevel: { '4': 400_000, '3': 600_000 } },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
        perPersonPerYear: 1,
        jointBase: true,
        enterpriseRegion: true,
      },
      work_based_training: {
        source:
          'D3: 以工代训 「给予一定期限的培训补贴」 to the employer; the sum per month and the period are not from the seeds; set by the region',
        payees: ['enterprise'],
        amount: { basis: 'monthly', perMonth, maxMonths: 6 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
        employment: { sources: ['social_insurance', 'employment_registration'] },
        groups: groups('D3 names the groups; the evidence is set by the region', [
          { group: 'poverty_alleviated', evidence: '脱贫人口信息系统' },
          { group: 'poverty_monitored', evidence: '防止返贫监测帮扶对象信息' },
          { group: 'employment_difficulty', evidence: '就业困难人员认定' },
          { group: 'zero_employment_family', evidence: '零就业家庭认定' },
        ]),
      },
    },
    advance: { source: 'D3 先行拨付 「不低于50%」', minShare: 0.5 },
    practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8, countFaceChecks: true },
  }
}

/** The first day of each month from the month of `from` to this month, at 10:00 in China. */
function monthStarts(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number) as [number, number]
  const last = to.slice(0, 7)
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`
    if (month > last) return out
    out.push(`${month}-01T10:00:00+08:00`)
    m = m === 12 ? 1 : m + 1
    if (m === 1) y += 1
  }
}

describe('项目制培训, 企业新型学徒制 and 以工代训: from class (or employment) to paid, and refused naming every missing piece', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-kinds-employer-e2e-'))
  const clock = { now: at(day(-75)) }
  let sys: StartedSystem
  const cls = {} as Record<'project' | 'plain' | 'apprentice' | 'elsewhere' | 'work', OpenedClass>
  const w = {} as Record<'project' | 'plainAbsent' | 'apprentice' | 'elsewhere' | 'work' | 'idle', string>
  let employedMonths: string[]
  /** The SubsidyPaid event of each kind's payment, for the compliance check at the end. */
  const paid: Record<string, string> = {}

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const { http } = sys
    await institution(http, provider, '130102', ['private_provider'], 311)
    await institution(http, enterprise, '130102', ['enterprise'], 501)
    await institution(http, college, '130102', ['vocational_college'], 20)
    await institution(http, elsewhere, '130104', ['enterprise'], 777)

    // 以工代训: the class began about ten weeks ago; the employer's 参保 records run month by month since.
    const workProg = await programme(http, occupations.cook, 'work_based_training', perMonth)
    cls.work = await openClass(http, enterprise, workProg, [day(-70), day(-69)])
    w.work = await enrol(http, cls.work, card(611), `${day(-75)}T09:00:00+08:00`)
    w.idle = await enrol(http, cls.work, card(612), `${day(-75)}T09:01:00+08:00`)
    clock.now = at(day(-68))
    await attendAndComplete(http, cls.work, [w.work], 'dev-fc-work-1')

    clock.now = at(day(-6))
    const projectProg = await programme(http, occupations.electrician, 'project_training', 180_000)
    const plainProg = await programme(http, occupations.nursery, 'training', 200_000)
    const appProg = await programme(http, occupations.welder, 'apprenticeship', 400_000)
    cls.project = await openClass(http, provider, projectProg, [day(-4), day(-3)])
    cls.plain = await openClass(http, provider, plainProg, [day(-4), day(-3)])
    cls.apprentice = await openClass(http, enterprise, appProg, [day(-4), day(-3)], college)
    cls.elsewhere = await openClass(http, elsewhere, appProg, [day(-4), day(-3)])
    w.project = await enrol(http, cls.project, card(621), `${day(-6)}T08:40:00+08:00`)
    w.plainAbsent = await enrol(http, cls.plain, card(622), `${day(-6)}T08:41:00+08:00`)
    w.apprentice = await enrol(http, cls.apprentice, card(631), `${day(-6)}T08:42:00+08:00`)
    w.elsewhere = await enrol(http, cls.elsewhere, card(632), `${day(-6)}T08:43:00+08:00`)
    clock.now = at(day(-2))
    await attendAndComplete(http, cls.project, [w.project], 'dev-fc-proj-1')
    await attendAndComplete(http, cls.apprentice, [w.apprentice], 'dev-fc-app-1')

    clock.now = at(day(0), '10:00')
    accepted(await http.post('/v1/rule-sets', officer, employerKindsSet()))
    employedMonths = monthStarts(day(-70), day(0))
    for (const [i, observedAt] of employedMonths.entries())
      accepted(
        await http.post('/v1/employment/outcomes', officer, {
          worker: w.work,
          region: '130102',
          outcome: 'employed',
          source: 'social_insurance',
          sourceRef: `CB-130102-0611-${i}`,
          observedAt,
          employer: enterprise,
        }),
      )
    accepted(
      await http.post('/v1/employment/groups', officer, {
        worker: w.work,
        region: '130102',
        group: 'employment_difficulty',
        source: { system: 'hebei-jiuye', ref: 'JYKN-130102-0611' },
        validFrom: day(-90),
      }),
    )
  }, 240_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** Review, approval and payment of a claim; answers the payment's answer and the claim as read. */
  async function payThrough(claim: string, paymentRef: string) {
    const { http } = sys
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    const payment = accepted(await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef }))
    const view = accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)
    paid[view.kind as string] = (payment.ids as string[])[0]!
    return { payment, view }
  }

  /** Submits a claim that must be refused: answers the rule ids, after checking nothing was written. */
  async function refused(body: Record<string, unknown>, staffOf: string | Who): Promise<string[]> {
    const worker = body.worker as string
    const before = await sys.store.streamRevision(`subsidy-${worker}`)
    const who = typeof staffOf === 'string' ? people.staff(staffOf) : staffOf
    const res = await sys.http.post('/v1/claims', who, body)
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.code).toBe('TREC_RULE_FAILED')
    expect(await sys.store.streamRevision(`subsidy-${worker}`)).toBe(before)
    for (const r of res.body.reasons) expect(r.ruleSet).toEqual({ id: 'changan-qiye', version: 1 })
    return res.body.reasons.map((r: { rule: string }) => r.rule)
  }

  const claimBody = (
    kind: string,
    worker: string,
    c: OpenedClass,
    payee: string,
    amount: number,
    region = '130102',
  ) => ({
    worker,
    region,
    kind,
    payee: { kind: kind === 'project_training' ? 'provider' : 'enterprise', id: payee },
    amount,
    class: c.id,
  })

  it('项目制培训: pays the provider the project’s price for a worker who attended and completed', async () => {
    const claim = accepted(
      await sys.http.post(
        '/v1/claims',
        people.staff(provider),
        claimBody('project_training', w.project, cls.project, provider, 180_000),
      ),
    ).claim
    const { view } = await payThrough(claim, 'FIN-PROJ-0001')
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'project_training',
      ruleSet: { id: 'changan-qiye', version: 1 },
    })
    // Above the project's price per person (the catalogue entry), the claim is refused.
    const dear = await sys.http.post(
      '/v1/claims',
      people.staff(provider),
      claimBody('project_training', w.project, cls.project, provider, 180_001),
    )
    expect(dear.status, dear.text).toBe(422)
    expect(dear.body.reasons.map((r: { rule: string }) => r.rule)).toContain('amount-standard')
  })

  it('项目制培训: refuses a class the government did not buy, with no attendance or completion, naming each', async () => {
    const rules = await refused(
      claimBody('project_training', w.plainAbsent, cls.plain, provider, 180_000),
      provider,
    )
    expect(rules).toEqual(['attendance-minimum', 'completion', 'programme-kind'])
  })

  it('职业培训补贴 and 技能提升补贴: refused naming every missing piece too (attendance, completion; certificate, contributions)', async () => {
    expect(
      await refused(
        { ...claimBody('project_training', w.plainAbsent, cls.plain, provider, 200_000), kind: 'training' },
        provider,
      ),
    ).toEqual(['attendance-minimum', 'completion'])
    const upgrade = await refused(
      {
        worker: w.plainAbsent,
        region: '130102',
        kind: 'skill_upgrade',
        payee: { kind: 'worker', id: w.plainAbsent },
        amount: 150_000,
      },
      officer,
    )
    expect(upgrade).toEqual(expect.arrayContaining(['certificate-required', 'contribution-months']))
  })

  it('企业新型学徒制: advances half the yearly amount to the enterprise, then pays it the rest for the apprentice', async () => {
    const { http } = sys
    const advance = await http.post(`/v1/classes/${cls.apprentice.id}/advances`, people.finance, {
      kind: 'apprenticeship',
      subsidyTotal: 400_000,
      share: 0.5,
      paymentRef: 'FIN-APP-ADV-1',
    })
    expect(advance.status, advance.text).toBe(201)
    const claim = accepted(
      await http.post(
        '/v1/claims',
        people.staff(enterprise),
        claimBody('apprenticeship', w.apprentice, cls.apprentice, enterprise, 400_000),
      ),
    ).claim
    const { payment, view } = await payThrough(claim, 'FIN-APP-0001')
    expect(payment).toMatchObject({ amount: 400_000, advanceApplied: 200_000 })
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'apprenticeship',
      payee: { kind: 'enterprise', id: enterprise },
      ruleSet: { id: 'changan-qiye', version: 1 },
    })
    // An advance below half is refused (D3: at least half).
    const low = await http.post(`/v1/classes/${cls.apprentice.id}/advances`, people.finance, {
      kind: 'apprenticeship',
      subsidyTotal: 400_000,
      share: 0.4,
      paymentRef: 'FIN-APP-ADV-2',
    })
    expect(low.status, low.text).toBe(422)
  })

  it('企业新型学徒制: refuses an enterprise registered elsewhere, with one base, no attendance or completion, naming each', async () => {
    const rules = await refused(
      claimBody('apprenticeship', w.elsewhere, cls.elsewhere, elsewhere, 400_000),
      elsewhere,
    )
    expect(rules).toEqual([
      'claim-region',
      'attendance-minimum',
      'completion',
      'joint-base',
      'enterprise-region',
    ])
  })

  it('以工代训: pays the employer per month of its employment records since the training began', async () => {
    const months = Math.min(employedMonths.length, 6)
    const body = claimBody('work_based_training', w.work, cls.work, enterprise, perMonth * months)
    const over = await sys.http.post('/v1/claims', people.staff(enterprise), {
      ...body,
      amount: perMonth * months + 1,
    })
    expect(over.status, over.text).toBe(422)
    expect(over.body.reasons).toEqual([
      expect.objectContaining({ rule: 'amount-standard', details: expect.objectContaining({ months }) }),
    ])
    const claim = accepted(await sys.http.post('/v1/claims', people.staff(enterprise), body)).claim
    const { payment, view } = await payThrough(claim, 'FIN-WORK-0001')
    expect(payment).toMatchObject({ amount: perMonth * months })
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'work_based_training',
      payee: { kind: 'enterprise', id: enterprise },
      ruleSet: { id: 'changan-qiye', version: 1 },
    })
  })

  it('以工代训: refuses a hire with no attendance, completion, target group or employment record, naming each', async () => {
    const rules = await refused(
      claimBody('work_based_training', w.idle, cls.work, enterprise, perMonth),
      enterprise,
    )
    expect(rules).toEqual(['attendance-minimum', 'completion', 'target-group', 'employment-months'])
  })

  it('shows compliance backing each payment, the 以工代训 one on the group attestation it cites', async () => {
    type Row = {
      payment: string
      backed: boolean
      reasons: unknown[]
      kind: string
      cited: { type: string }[]
    }
    const auditor = { sub: 'auditor-1', role: 'auditor' } as const
    const rows = await eventually('compliance to hold the three payments', async () => {
      const res = await sys.http.get('/v1/compliance/payments?region=130102', auditor)
      const items = res.status === 200 ? (res.body.items as Row[]) : []
      const mine = items.filter((r) => Object.values(paid).includes(r.payment))
      return mine.length === 3 ? mine : undefined
    })
    for (const r of rows) expect(r, JSON.stringify(r.reasons)).toMatchObject({ backed: true, reasons: [] })
    const work = rows.find((r) => r.payment === paid.work_based_training)!
    expect(work.cited.map((c) => c.type)).toEqual(
      expect.arrayContaining(['WorkerGroupAttested', 'EmploymentOutcomeObserved']),
    )
  })
})
