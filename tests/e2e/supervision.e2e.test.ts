// The supervision instruments over real HTTP with the read side running (issue 26): a 告知承诺
// overdue for its check waits in the officers' queue, is checked and found breached, and a
// sanction decided in a case cites the breach; a private provider with no 年度报告 by the due day
// waits in the queue; a 年度检查 不合格 turns the next 诚信等级 from B to C; a 双随机 run's results,
// once all recorded, are published (一公开) as an event and served without any person's data.
// Bad input is refused as problem+json and writes nothing; retries with the same key append once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import type { Answer, Json } from './support/http.ts'
import { accepted, card, designate, people, region } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const breaching = 'inst-130100-0071'
const filing = 'inst-130100-0072'
const silent = 'inst-130100-0073'
const college = 'inst-130100-0074'

const thresholds = {
  A: { minCompletions: 30, passRate: 0.9, certificationRate: 0.8 },
  C: { passRate: 0.6, certificationRate: 0.4 },
  fraudForD: 2,
}
const gradeBody = {
  period: { from: '2026-01-01', to: '2026-12-31' },
  inputs: { completions: 12, passRate: 0.8, certificationRate: 0.7, confirmedFraud: 0, sanctionsInForce: 0 },
  thresholds,
  evidence: [],
  note: '2026年度诚信等级评定',
}

describe('supervision instruments over HTTP', () => {
  let sys: System
  const at = (instant: string) => {
    sys.clock.now = new Date(instant)
  }

  /** Nothing at all was appended while `act` ran. */
  async function nothingWritten(act: () => Promise<Answer>): Promise<Answer> {
    const before = await sys.store.lastPosition()
    const res = await act()
    expect(await sys.store.lastPosition()).toBe(before)
    return res
  }
  function problem(res: Answer, status: number): Json {
    expect(res.status, res.text).toBe(status)
    expect(res.headers['content-type']).toContain('application/problem+json')
    return res.body
  }
  const rules = (body: Json) => ((body.reasons ?? []) as Json[]).map((r) => r.rule)

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2026-03-01T09:00:00+08:00'), { projections: true })
    for (const inst of [breaching, filing, silent]) await designate(sys.http, inst, '52130100MJ0123456N')
    accepted(
      await sys.http.post('/v1/institutions', people.admin, {
        institution: college,
        legalName: '石家庄市长安区职业技术学院',
        uscc: '52130100MJ0123456N',
        region,
        kinds: ['vocational_college'],
        effectiveFrom: '2021-01-01',
      }),
    )
    await caughtUp(sys)
  })
  afterAll(async () => {
    await sys?.close()
  })

  it('queues an overdue commitment check, records the breach once, and a sanction cites it', async () => {
    const { http } = sys
    at('2026-03-01T09:00:00+08:00')
    const body = {
      institution: breaching,
      facts: ['venue', 'teachers'],
      statement: '本机构承诺培训场地、师资符合要求，如有不实愿承担相应责任',
      signedBy: { office: '法定代表人', letterRef: '长人社承诺〔2026〕12号' },
      signedOn: '2026-03-01',
      checkDueBy: '2026-04-30',
    }
    // Bad input: the check due before the signing, a card number in the statement.
    const bad = problem(
      await nothingWritten(() =>
        http.post('/v1/oversight/commitments', people.officer, { ...body, checkDueBy: '2026-02-01' }),
      ),
      400,
    )
    expect(JSON.stringify(bad)).toContain('checkDueBy')
    problem(
      await nothingWritten(() =>
        http.post('/v1/oversight/commitments', people.officer, {
          ...body,
          statement: `法定代表人 ${card(171)}`,
        }),
      ),
      400,
    )
    // Recorded once for two tries with one key.
    const key = { 'Idempotency-Key': 'commitment-0071-2026' }
    const first = accepted(await http.post('/v1/oversight/commitments', people.officer, body, key))
    const again = accepted(await http.post('/v1/oversight/commitments', people.officer, body, key))
    expect(again).toEqual(first)
    const commitment = first.commitment as string
    expect((await sys.store.readStream(`oversight-${commitment}`)).length).toBe(1)

    await caughtUp(sys)
    const queue = async () =>
      (
        accepted(await http.get('/v1/oversight/commitment-checks/overdue', people.officer), 200)
          .items as Json[]
      ).map((c) => c.commitment)
    expect(await queue()).not.toContain(commitment)
    at('2026-05-05T09:00:00+08:00')
    expect(await queue()).toContain(commitment)

    // A fact not committed to is refused and writes nothing; the breach is recorded once.
    const check = {
      result: 'breached',
      breachedFacts: ['teachers'],
      findings: '两名授课教师无相应职业资格证书',
      checkedOn: '2026-05-04',
    }
    const refused = problem(
      await nothingWritten(() =>
        http.post(`/v1/oversight/commitments/${commitment}/check`, people.officer, {
          ...check,
          breachedFacts: ['equipment'],
        }),
      ),
      422,
    )
    expect(rules(refused)).toEqual(['breach-facts'])
    const checked = accepted(
      await http.post(`/v1/oversight/commitments/${commitment}/check`, people.officer, check, {
        'Idempotency-Key': 'check-0071',
      }),
    )
    expect(
      accepted(
        await http.post(`/v1/oversight/commitments/${commitment}/check`, people.officer, check, {
          'Idempotency-Key': 'check-0071',
        }),
      ),
    ).toEqual(checked)
    const breach = (checked.ids as string[])[0]!

    // The case: findings, then a suspension citing the breach.
    const c = accepted(
      await http.post('/v1/oversight/cases', people.investigator, {
        title: '告知承诺核查不实',
        region,
        basis: 'other',
        subjects: [{ kind: 'institution', id: breaching }],
      }),
    ).case as string
    accepted(
      await http.post(`/v1/oversight/cases/${c}/findings`, people.investigator, {
        conclusion: 'irregularity',
        findings: '承诺师资不实',
        evidence: [breach],
      }),
    )
    const sanction = (grounds: Json) =>
      http.post(`/v1/oversight/cases/${c}/sanctions`, people.investigator, {
        target: { kind: 'institution', id: breaching },
        sanction: 'suspension',
        note: '告知承诺不实，暂停补贴性培训资格',
        grounds,
      })
    const wrong = problem(
      await nothingWritten(() => sanction({ kind: 'commitment_breach', ref: `annual-${breaching}-2025` })),
      422,
    )
    expect(rules(wrong)).toEqual(['sanction-grounds'])
    const decision = (
      accepted(await sanction({ kind: 'commitment_breach', ref: commitment })).ids as string[]
    )[0]!
    const file = accepted(await http.get(`/v1/oversight/cases/${c}`, people.investigator), 200)
    expect((file.events as Json[]).find((e) => e.id === decision)!.data).toMatchObject({
      grounds: { kind: 'commitment_breach', ref: commitment, event: breach },
    })

    await caughtUp(sys)
    expect(
      accepted(await http.get(`/v1/oversight/commitments/${commitment}`, people.officer), 200),
    ).toMatchObject({
      status: 'breached',
      checkEvent: breach,
      sanctions: [decision],
    })
    expect(await queue()).not.toContain(commitment)
    // The breach counts against the grade.
    const graded = accepted(
      await http.post(`/v1/oversight/institutions/${breaching}/grades`, people.investigator, gradeBody),
    )
    const history = accepted(
      await http.get(`/v1/oversight/institutions/${breaching}/grades`, people.investigator),
      200,
    )
    expect(history.latest).toBe('C')
    expect((history.grades as Json[])[0]).toMatchObject({
      id: (graded.ids as string[])[0],
      inputs: { commitmentBreaches: 1 },
    })
  })

  it('queues a private provider with no annual report past the due day; 不合格 turns its grade from B to C', async () => {
    const { http } = sys
    at('2026-03-10T09:00:00+08:00')
    const report = {
      year: 2025,
      classes: 4,
      trainees: 120,
      completions: 110,
      subsidyReceived: 18_000_000,
      complaints: 1,
      changes: { venue: '教学场地由建设北大街迁至中山东路' },
    }
    problem(
      await nothingWritten(() =>
        http.post(`/v1/oversight/institutions/${filing}/annual-reports`, people.staff(filing), {
          ...report,
          completions: 121,
        }),
      ),
      400,
    )
    problem(
      await nothingWritten(() =>
        http.post(`/v1/oversight/institutions/${filing}/annual-reports`, people.staff(silent), report),
      ),
      403,
    )
    const notPrivate = problem(
      await nothingWritten(() =>
        http.post(`/v1/oversight/institutions/${college}/annual-reports`, people.staff(college), report),
      ),
      422,
    )
    expect(rules(notPrivate)).toEqual(['private-provider'])
    const key = { 'Idempotency-Key': 'annual-0072-2025' }
    const filed = accepted(
      await http.post(
        `/v1/oversight/institutions/${filing}/annual-reports`,
        people.staff(filing),
        report,
        key,
      ),
    )
    expect(
      accepted(
        await http.post(
          `/v1/oversight/institutions/${filing}/annual-reports`,
          people.staff(filing),
          report,
          key,
        ),
      ),
    ).toEqual(filed)
    expect(
      rules(
        problem(
          await http.post(
            `/v1/oversight/institutions/${filing}/annual-reports`,
            people.staff(filing),
            report,
          ),
          422,
        ),
      ),
    ).toEqual(['annual-report-once'])

    await caughtUp(sys)
    const missing = async () =>
      (
        accepted(await http.get('/v1/oversight/annual-reports/missing?year=2025', people.officer), 200)
          .items as Json[]
      ).map((m) => m.institution)
    expect(await missing()).toEqual([]) // before 30 June 2026 nothing is overdue
    at('2026-07-01T09:00:00+08:00')
    const overdue = await missing()
    expect(overdue).toContain(silent)
    expect(overdue).not.toContain(filing)
    expect(overdue).not.toContain(college)

    const before = accepted(
      await http.post(`/v1/oversight/institutions/${silent}/grades`, people.investigator, gradeBody),
    )
    expect(before.ids).toHaveLength(1)
    accepted(
      await http.post(`/v1/oversight/institutions/${silent}/annual-inspections`, people.officer, {
        year: 2025,
        result: 'unqualified',
        findings: '未按期报送年度报告，现场核查教学场地已变更未报备',
        inspectedOn: '2026-07-01',
      }),
    )
    await caughtUp(sys)
    accepted(await http.post(`/v1/oversight/institutions/${silent}/grades`, people.investigator, gradeBody))
    const history = accepted(
      await http.get(`/v1/oversight/institutions/${silent}/grades`, people.investigator),
      200,
    )
    expect((history.grades as Json[]).map((g) => g.grade)).toEqual(['B', 'C'])
    expect((history.grades as Json[])[1]).toMatchObject({ inputs: { inspectionsUnqualified: 1 } })
  })

  it('records a 双随机 run’s results, publishes them as an event and serves them without personal data', async () => {
    const { http } = sys
    at('2026-08-01T09:00:00+08:00')
    const drawn = accepted(
      await http.post('/v1/oversight/sampling-runs', people.investigator, {
        population: { kind: 'institutions', region, from: '2026-01-01', to: '2026-12-31' },
        size: 2,
      }),
    )
    const run = drawn.run as string
    const [a, b] = drawn.selected as string[]
    const result = (target: string, extra: Json = {}) => ({
      target,
      outcome: 'compliant',
      findings: '培训台账、实名制签到记录与现场一致',
      inspectedOn: '2026-08-01',
      ...extra,
    })
    problem(
      await nothingWritten(() =>
        http.post(
          `/v1/oversight/sampling-runs/${run}/results`,
          people.investigator,
          result(a!, { findings: `学员 ${card(172)} 未到课` }),
        ),
      ),
      400,
    )
    expect(
      rules(
        problem(
          await nothingWritten(() =>
            http.post(
              `/v1/oversight/sampling-runs/${run}/results`,
              people.investigator,
              result(college === a || college === b ? 'inst-130100-0099' : college),
            ),
          ),
          422,
        ),
      ),
    ).toEqual(['sampling-target'])
    const key = { 'Idempotency-Key': `result-${a}` }
    const first = accepted(
      await http.post(`/v1/oversight/sampling-runs/${run}/results`, people.investigator, result(a!), key),
    )
    expect(
      accepted(
        await http.post(`/v1/oversight/sampling-runs/${run}/results`, people.investigator, result(a!), key),
      ),
    ).toEqual(first)
    await caughtUp(sys)
    const published = async () =>
      accepted(await http.get(`/v1/oversight/published-inspections?run=${run}`, people.officer), 200)
        .items as Json[]
    expect(await published()).toEqual([])

    const last = accepted(
      await http.post(
        `/v1/oversight/sampling-runs/${run}/results`,
        people.officer,
        result(b!, { outcome: 'rectification_ordered', findings: '教学场地与备案不一致，责令整改' }),
      ),
    )
    expect(last.ids).toHaveLength(2)
    const events = (await sys.store.readStream(`oversight-${run}`)).map((e) => e.type)
    expect(events).toEqual([
      'InspectionSampleSelected',
      'SamplingResultRecorded',
      'SamplingResultRecorded',
      'SamplingResultsPublished',
    ])
    await caughtUp(sys)
    const list = await published()
    expect(list.map((r) => r.institution).sort()).toEqual([a, b].sort())
    expect(list.find((r) => r.institution === b)).toMatchObject({
      outcome: 'rectification_ordered',
      inspectedOn: '2026-08-01',
      summary: '教学场地与备案不一致，责令整改',
    })
    const text = JSON.stringify(list)
    for (const person of ['investigator-1', 'officer-1']) expect(text).not.toContain(person)
    expect(Object.keys(list[0]!).sort()).toEqual([
      'inspectedOn',
      'institution',
      'outcome',
      'publication',
      'publishedAt',
      'region',
      'run',
      'summary',
      'target',
    ])
    expect(
      rules(problem(await http.post(`/v1/oversight/sampling-runs/${run}/publication`, people.officer), 422)),
    ).toEqual(['sampling-published'])
  })

  it('weights a draw by the latest 诚信等级 when asked, recording the grades, and re-derives it', async () => {
    const { http } = sys
    await caughtUp(sys)
    const body = {
      population: { kind: 'institutions', region, from: '2026-01-01', to: '2026-12-31' },
      size: 2,
      weighByGrade: true,
    }
    const drawn = accepted(await http.post('/v1/oversight/sampling-runs', people.investigator, body))
    expect(drawn.algorithm).toBe('sha256-ctr-weighted-v1')
    const recorded = accepted(
      await http.get(`/v1/oversight/sampling-runs/${drawn.run}`, people.investigator),
      200,
    )
    // Graded C above: the institution that breached its commitment and the one found 不合格.
    expect(recorded.weighting).toMatchObject({
      weights: { A: 1, D: 8 },
      grades: { [breaching]: 'C', [silent]: 'C' },
    })
    expect(recorded.verification).toEqual({
      populationDigestMatches: true,
      selectionMatches: true,
      assignmentsMatch: true,
    })
    const classes = { ...body, population: { ...body.population, kind: 'classes' } }
    expect(
      rules(
        problem(
          await nothingWritten(() => http.post('/v1/oversight/sampling-runs', people.investigator, classes)),
          422,
        ),
      ),
    ).toEqual(['weighting-kind'])
  })
})
