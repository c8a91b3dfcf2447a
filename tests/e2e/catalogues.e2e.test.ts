// The effective-dated catalogues over real HTTP (issue 26): a programme adjusted (动态调整) keeps
// its history and lists as in force on a day; a withdrawal (清退) before the entry starts, an
// adjustment of a withdrawn entry and a second listing on shared days are refused naming the field,
// writing nothing; a retry appends nothing. A class applied for on a withdrawn programme, or
// opened after its programme was withdrawn, is refused citing the entry; under a rule set that
// requires listed institutions and evaluation bodies (national practice), a class of an unlisted
// institution and a result of an unlisted evaluation body are refused citing the rule set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ruleSetDraft, worker } from './support/example-requests.ts'
import type { Answer, Json } from './support/http.ts'
import { accepted, designate, occupations, people, publish, region, session } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const listed = 'inst-130100-0071'
const unlisted = 'inst-130100-0072'
const written = [
  'ProgrammeAdjusted',
  'ProgrammeWithdrawn',
  'ListedInstitutionPublished',
  'ClassOpeningApplied',
  'ClassOpened',
  'AssessmentResultRecorded',
]

describe('catalogues with 动态调整 and 清退, enforced over HTTP', () => {
  let sys: System
  const programmes: Record<string, string> = {}

  async function nothingWritten(act: () => Promise<Answer>): Promise<Answer> {
    const before = await sys.store.headPosition()
    const res = await act()
    const after = await sys.store.readAll({ after: before })
    expect(after.filter((e) => written.includes(e.type)).map((e) => e.type)).toEqual([])
    return res
  }

  function refusal(res: Answer, rule: string): Json {
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toContain('application/problem+json')
    const reason = (res.body.reasons as Json[]).find((r) => r.rule === rule)
    expect(reason, res.text).toBeDefined()
    return reason as Json
  }

  const apply = (institution: string, programme: string) =>
    sys.http.post('/v1/classes', people.staff(institution), {
      institution,
      programme,
      mode: 'offline',
      plannedHours: 7,
      capacity: 30,
      sessions: [session('2021-04-06'), session('2021-04-07')],
      teachers: [{ teacher: 'tch-130100-1187' }],
    })

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    const { http } = sys
    await designate(http, listed, '52130100MJ0123456N')
    await designate(http, unlisted, '52130100MJ0123456N')
    for (const [name, o] of Object.entries(occupations)) programmes[name] = await publish(http, o)
  }, 120_000)

  afterAll(async () => {
    await sys?.close()
  })

  it('adjusts a programme from a day: history kept, the list shows each day’s version, a retry appends nothing', async () => {
    const { http } = sys
    const url = `/v1/catalogues/programmes/${programmes.electrician}`
    const body = {
      region: '130100',
      effectiveFrom: '2021-07-01',
      changes: { amount: 180_000 },
      reason: '调整补贴标准',
    }
    expect(accepted(await http.post(`${url}/adjustments`, people.officer, body)).ids).toHaveLength(1)
    expect(accepted(await http.post(`${url}/adjustments`, people.officer, body)).ids).toEqual([])
    const early = await nothingWritten(() =>
      http.post(`${url}/adjustments`, people.officer, {
        ...body,
        effectiveFrom: '2021-05-01',
        changes: { amount: 1 },
      }),
    )
    expect(refusal(early, 'adjustment-not-after-current').details).toMatchObject({ field: 'effectiveFrom' })

    const history = accepted(await http.get(`${url}?region=130100`, people.staff(listed)), 200)
    expect(history.versions.map((v: Json) => [v.effectiveFrom, v.effectiveTo, v.amount])).toEqual([
      ['2021-01-01', '2021-06-30', 220_000],
      ['2021-07-01', '2021-12-31', 180_000],
    ])
    const asOf = async (day: string) =>
      (
        accepted(
          await http.get(`/v1/catalogues/programmes?region=${region}&asOf=${day}`, people.assessor),
          200,
        ).items as Json[]
      ).find((i) => i.entry === programmes.electrician)!
    expect((await asOf('2021-06-30')).terms.amount).toBe(220_000)
    expect(await asOf('2021-08-01')).toMatchObject({
      effectiveFrom: '2021-07-01',
      terms: { amount: 180_000 },
    })
    const first = accepted(
      await http.get(`/v1/catalogues/programmes?region=${region}&limit=1`, people.officer),
      200,
    )
    expect(first.items).toHaveLength(1)
    expect(first.total).toBe(Object.keys(programmes).length)
    const next = accepted(
      await http.get(
        `/v1/catalogues/programmes?region=${region}&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`,
        people.officer,
      ),
      200,
    )
    expect(next.items[0].entry).not.toBe(first.items[0].entry)
  })

  it('refuses a withdrawal before the entry starts and an adjustment of a withdrawn entry; a class on it is refused citing the entry', async () => {
    const { http } = sys
    const url = `/v1/catalogues/programmes/${programmes.welder}`
    const before = await nothingWritten(() =>
      http.post(`${url}/withdrawal`, people.officer, {
        region: '130100',
        effectiveFrom: '2020-12-31',
        reason: 'no_longer_needed',
      }),
    )
    expect(refusal(before, 'withdrawal-before-start').details).toMatchObject({ field: 'effectiveFrom' })
    const withdrawal = { region: '130100', effectiveFrom: '2021-04-01', reason: 'no_longer_needed' }
    accepted(await http.post(`${url}/withdrawal`, people.officer, withdrawal))
    expect(accepted(await http.post(`${url}/withdrawal`, people.officer, withdrawal)).ids).toEqual([])
    const adjusted = await nothingWritten(() =>
      http.post(`${url}/adjustments`, people.officer, {
        region: '130100',
        effectiveFrom: '2021-05-01',
        changes: { amount: 100_000 },
        reason: '调整',
      }),
    )
    expect(refusal(adjusted, 'catalogue-entry-withdrawn').details).toMatchObject({ field: 'entry' })

    const refused = await nothingWritten(() => apply(listed, programmes.welder!))
    expect(refusal(refused, 'programme-withdrawn').details).toMatchObject({
      field: 'programme',
      programme: programmes.welder,
      withdrawnFrom: '2021-04-01',
    })
    const list = accepted(
      await http.get(`/v1/catalogues/programmes?region=${region}&asOf=2021-04-06`, people.officer),
      200,
    )
    expect(list.items.map((i: Json) => i.entry)).not.toContain(programmes.welder)
  })

  it('refuses to open a class whose programme was withdrawn after it was applied for', async () => {
    const { http } = sys
    const cls = accepted(await apply(listed, programmes.cook!)).class as string
    accepted(await http.post(`/v1/classes/${cls}/review`, people.officer, { outcome: 'passed' }))
    accepted(
      await http.post(`/v1/catalogues/programmes/${programmes.cook}/withdrawal`, people.officer, {
        region: '130100',
        effectiveFrom: '2021-04-06',
        reason: 'rule_violation',
        note: '项目清退',
      }),
    )
    const refused = await nothingWritten(() =>
      http.post(`/v1/classes/${cls}/opening`, people.staff(listed), {}),
    )
    expect(refusal(refused, 'programme-withdrawn').details).toMatchObject({ programme: programmes.cook })
  })

  it('under a rule set that requires listing, refuses an unlisted institution’s class and an unlisted evaluation body’s result', async () => {
    const { http } = sys
    const set = {
      ...ruleSetDraft,
      id: 'changan-listed',
      validFrom: '2021-01-01',
      validTo: '2021-12-31',
      practice: { ...ruleSetDraft.practice, listedInstitutionsOnly: true, listedEvaluationBodiesOnly: true },
    }
    accepted(await http.post('/v1/rule-sets', people.officer, set))
    const listing = {
      region,
      institution: listed,
      legalName: '石家庄市长安区某职业培训学校',
      effectiveFrom: '2021-01-01',
    }
    accepted(await http.post('/v1/catalogues/institutions', people.officer, listing))
    const twice = await nothingWritten(() =>
      http.post('/v1/catalogues/institutions', people.officer, { ...listing, effectiveFrom: '2021-03-01' }),
    )
    expect(refusal(twice, 'catalogue-validity-overlap').details).toMatchObject({ field: 'effectiveFrom' })

    const refused = await nothingWritten(() => apply(unlisted, programmes.nursery!))
    expect(refusal(refused, 'institution-not-listed')).toMatchObject({
      ruleSet: { id: 'changan-listed', version: 1 },
      details: { field: 'institution', institution: unlisted },
    })
    accepted(await apply(listed, programmes.nursery!))

    accepted(
      await http.post('/v1/catalogues/evaluation-bodies', people.officer, {
        region: '130100',
        body: 'eval-130100-0007',
        kind: 'social_evaluation_org',
        name: '某社会培训评价组织',
        effectiveFrom: '2021-01-01',
      }),
    )
    const result = (evaluator: string) => ({
      worker,
      region,
      occupationCode: occupations.nursery.code,
      level: 4,
      passed: true,
      evaluator: { kind: 'social_evaluation_org', id: evaluator },
      assessedOn: '2021-02-20',
    })
    const assessor = { ...people.assessor, region: '1301' }
    const off = await nothingWritten(() =>
      http.post('/v1/assessment-results', assessor, result('eval-130100-0099')),
    )
    expect(refusal(off, 'assessment.evaluation-body-listed')).toMatchObject({
      ruleSet: { id: 'changan-listed', version: 1 },
      details: { field: 'evaluator', evaluator: 'eval-130100-0099' },
    })
    accepted(await http.post('/v1/assessment-results', assessor, result('eval-130100-0007')))
  })
})
