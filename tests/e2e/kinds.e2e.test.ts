// Subsidy kinds beyond the training subsidy, over real HTTP on the embedded start. An officer of
// 长安区 publishes a set naming 创业培训补贴 (`entrepreneurship`, to the provider), 职业技能鉴定评价补贴
// (`assessment`, per certified person, to the worker's card, for named groups) and 生活费补贴
// (`living_allowance`, to the worker's card, for named groups, one a year), each with its payee,
// evidence and amount (amounts are labelled defaults: not from the seeds; set by the region). One
// worker attends, completes and is certified and each kind is paid, citing the set; a worker with
// none of that is refused for each kind with every missing piece named in problem+json, and
// nothing is written to the worker's subsidy stream.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { at, day } from './support/china-days.ts'
import {
  accepted,
  attendAndComplete,
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
  trainingClaim,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

const inst = 'inst-130100-0188'
const officer = people.officer

function entrepreneurshipSet() {
  return {
    id: 'changan-chuangye',
    title: '长安区 创业培训补贴',
    region: '130102',
    validFrom: day(-1),
    validTo: '2027-12-31',
    source: 'A test county standard (not from the seeds; set by the region).',
    shortageOccupations: { source: 'none listed', codes: [] },
    kinds: {
      entrepreneurship: {
        source:
          'D2 asks that 创业培训补贴 be paid; payee, evidence and amount are not from the seeds; set by the region',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson: 150_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: true },
      },
      assessment: {
        source:
          'D3 names 职业技能鉴定评价补贴 for 企业职工和重点群体; payee and amounts are not from the seeds; set by the region',
        payees: ['worker'],
        amount: { basis: 'level', byLevel: { '5': 20_000, '4': 30_000, '3': 40_000 } },
        requires: { enrolment: true, attendance: true, completion: true, certificate: true },
        certificateKinds: ['occupational_qualification', 'skill_level'],
        groups: {
          source: 'D3 「企业职工和重点群体」; the evidence is set by the region',
          accepted: [
            { group: 'enterprise_employee', evidence: '参保登记 (企业职工)' },
            { group: 'unemployed', evidence: '就业失业登记' },
            { group: 'migrant_worker', evidence: '农村转移劳动力: 户籍与就业登记' },
            { group: 'poverty_alleviated', evidence: '脱贫人口信息系统' },
            { group: 'college_graduate', evidence: '学籍学历 (教育部门)' },
          ],
        },
      },
      living_allowance: {
        source:
          'D0/D3/D4 name 生活费（含交通费）补贴 for 符合条件的参训人员; the amount, the payee and one a person a year are not from the seeds; set by the region',
        payees: ['worker'],
        amount: { basis: 'cap', perPerson: 50_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
        perPersonPerYear: 1,
        groups: {
          source:
            'groups the seeds name for subsidised training; which of them get 生活费 is set by the region',
          accepted: [
            { group: 'poverty_alleviated', evidence: '脱贫人口信息系统' },
            { group: 'migrant_worker', evidence: '农村转移劳动力: 户籍与就业登记' },
            { group: 'unemployed', evidence: '就业失业登记' },
          ],
        },
      },
    },
    practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8, countFaceChecks: true },
  }
}

describe('创业培训补贴, 鉴定评价补贴 and 生活费补贴: from class to paid, and refused naming every missing piece', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-kinds-e2e-'))
  const clock = { now: at(day(-6)) }
  let sys: StartedSystem
  let cls: OpenedClass
  const w: Record<'done' | 'absent', string> = {} as never
  let certificate: string

  const claimOf = (worker: string) => ({ ...trainingClaim(cls, worker, 150_000), kind: 'entrepreneurship' })

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const { http } = sys
    await designate(http, inst, '52130100MJ0123456N')
    const programme = await publish(http, occupations.electrician, day(-30), day(60))
    cls = await openClass(http, inst, programme, [day(-4), day(-3)])
    w.done = await enrol(http, cls, card(511), `${day(-6)}T08:40:00+08:00`)
    w.absent = await enrol(http, cls, card(512), `${day(-6)}T08:41:00+08:00`)
    clock.now = at(day(-2))
    await attendAndComplete(http, cls, [w.done], 'dev-fc-kinds-1')
    certificate = await certify(http, w.done, occupations.electrician, 'S0130000092139511', {
      assessedOn: day(-2),
      issuedOn: day(-2),
      class: cls.id,
    })
    clock.now = at(day(0), '10:00')
    accepted(await http.post('/v1/rule-sets', officer, entrepreneurshipSet()))
    accepted(
      await http.post('/v1/employment/groups', officer, {
        worker: w.done,
        region: '130102',
        group: 'enterprise_employee',
        source: { system: 'hebei-sbj', ref: 'CB-130102-0511' },
        validFrom: day(-30),
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('pays the provider for a worker who attended, completed and was certified, citing the set', async () => {
    const { http } = sys
    const claim = accepted(
      await http.post('/v1/claims', people.staff(inst), { ...claimOf(w.done), certificate }),
    ).claim
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: 'FIN-KIND-0001' }))
    const view = accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'entrepreneurship',
      ruleSet: { id: 'changan-chuangye', version: 1 },
    })
  })

  it('refuses a worker with no attendance, completion or certificate, naming each, writing nothing', async () => {
    const before = await sys.store.streamRevision(`subsidy-${w.absent}`)
    const res = await sys.http.post('/v1/claims', people.staff(inst), claimOf(w.absent))
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.streamRevision(`subsidy-${w.absent}`)).toBe(before)
    expect(res.body.code).toBe('TREC_RULE_FAILED')
    expect(res.body.reasons.map((r: { rule: string }) => r.rule)).toEqual([
      'attendance-minimum',
      'completion',
      'certificate-required',
    ])
    for (const r of res.body.reasons) expect(r.ruleSet).toEqual({ id: 'changan-chuangye', version: 1 })
  })

  it('pays the 鉴定评价补贴 for the certified level to the worker’s card, citing the set and the group', async () => {
    const { http } = sys
    const claim = accepted(
      await http.post('/v1/claims', officer, {
        worker: w.done,
        region: '130102',
        kind: 'assessment',
        payee: { kind: 'worker', id: w.done },
        amount: 30_000,
        class: cls.id,
        certificate,
      }),
    ).claim
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    expect(await registerCardAccount(http, card(511))).toBe(w.done)
    accepted(await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: 'FIN-KIND-0002' }))
    const view = accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'assessment',
      ruleSet: { id: 'changan-chuangye', version: 1 },
    })
  })

  it('refuses a 鉴定评价补贴 with no attendance, completion, certificate or target group, naming each', async () => {
    // The previous payment's background work (projections, access log) may still append, so what
    // is checked is the worker's subsidy stream: the refusal writes nothing to it.
    const before = await sys.store.streamRevision(`subsidy-${w.absent}`)
    const res = await sys.http.post('/v1/claims', officer, {
      worker: w.absent,
      region: '130102',
      kind: 'assessment',
      payee: { kind: 'worker', id: w.absent },
      amount: 30_000,
      class: cls.id,
    })
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.streamRevision(`subsidy-${w.absent}`)).toBe(before)
    const rules = res.body.reasons.map((r: { rule: string }) => r.rule)
    expect(rules).toEqual(
      expect.arrayContaining(['attendance-minimum', 'completion', 'certificate-required', 'target-group']),
    )
  })

  const livingClaim = (worker: string) => ({
    worker,
    region: '130102',
    kind: 'living_allowance',
    payee: { kind: 'worker', id: worker },
    amount: 50_000,
    class: cls.id,
  })

  it('pays the 生活费补贴 to the card of a worker in a named group, once a year', async () => {
    const { http } = sys
    accepted(
      await http.post('/v1/employment/groups', officer, {
        worker: w.done,
        region: '130102',
        group: 'poverty_alleviated',
        source: { system: 'hebei-fupin', ref: 'TP-130102-0511' },
        validFrom: day(-30),
      }),
    )
    const claim = accepted(await http.post('/v1/claims', officer, livingClaim(w.done))).claim
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: 'FIN-KIND-0003' }))
    const view = accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)
    expect(view).toMatchObject({
      status: 'paid',
      kind: 'living_allowance',
      ruleSet: { id: 'changan-chuangye', version: 1 },
    })
    const again = await http.post('/v1/claims', officer, livingClaim(w.done))
    expect(again.status, again.text).toBe(422)
    expect(again.body.reasons.map((r: { rule: string }) => r.rule)).toContain('once-per-year')
  })

  it('refuses a 生活费补贴 with no attendance, completion or target group, naming each', async () => {
    const before = await sys.store.streamRevision(`subsidy-${w.absent}`)
    const res = await sys.http.post('/v1/claims', officer, livingClaim(w.absent))
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.streamRevision(`subsidy-${w.absent}`)).toBe(before)
    const rules = res.body.reasons.map((r: { rule: string }) => r.rule)
    expect(rules).toEqual(expect.arrayContaining(['attendance-minimum', 'completion', 'target-group']))
    expect(rules).not.toContain('certificate-required')
  })
})
