// Eligibility in the gate, over real HTTP on the embedded start: an officer of 长安区 publishes a
// set whose training subsidy is for named target groups, each with the evidence that shows
// membership, at most one a person a year, once per occupation and level. A worker the record
// does not show in a group is refused with problem+json naming the groups and their evidence,
// and nothing is written; once a department's attestation is recorded the claim is paid and the
// payment cites it; a second claim for the same occupation and level is refused by the gate
// itself, before any payment (fraud rule R1 would only see it afterwards).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { at, day } from './support/china-days.ts'
import type { Json } from './support/http.ts'
import {
  accepted,
  attendAndComplete,
  card,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  trainingClaim,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

const inst = 'inst-130100-0177'
const officer = people.officer

function groupsSet() {
  return {
    id: 'changan-groups',
    title: '长安区 就业技能培训补贴 (重点群体)',
    region: '130102',
    validFrom: day(-1),
    validTo: '2027-12-31',
    source: 'A test county standard (not from the seeds; set by the region).',
    shortageOccupations: { source: 'none listed', codes: [] },
    kinds: {
      training: {
        source: 'the county’s ceiling and groups (not from the seeds; set by the region)',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson: 200_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
        perPersonPerYear: 1,
        groups: {
          source: 'D3 「符合条件的参训人员」; the groups and evidence are set by the region',
          accepted: [
            { group: 'migrant_worker', evidence: '农村转移劳动力: 户籍与就业登记' },
            { group: 'unemployed', evidence: '就业失业登记', systems: ['hebei-jiuye'] },
            { group: 'poverty_alleviated', evidence: '脱贫人口信息系统' },
            { group: 'college_graduate', evidence: '学籍学历 (教育部门)' },
            { group: 'enterprise_employee', evidence: '参保登记 (企业职工)' },
          ],
        },
      },
    },
    practice: {
      source: 'NOT IN SEEDS',
      minAttendanceShare: 0.8,
      countFaceChecks: true,
      oncePerOccupationLevel: { kinds: ['training'] },
    },
  }
}

describe('eligibility in the gate: target groups, a yearly cap per kind, once per occupation and level', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-eligibility-e2e-'))
  const clock = { now: at(day(-6)) }
  let sys: StartedSystem
  let cls: OpenedClass
  let worker: string

  async function refusedWith(status: number, send: () => ReturnType<StartedSystem['http']['post']>) {
    const before = await sys.store.lastPosition()
    const res = await send()
    expect(res.status, res.text).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.lastPosition()).toBe(before)
    return res.body
  }

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const { http } = sys
    await designate(http, inst, '52130100MJ0123456N')
    const programme = await publish(http, occupations.electrician, day(-30), day(60))
    cls = await openClass(http, inst, programme, [day(-4), day(-3)])
    worker = await enrol(http, cls, card(411), `${day(-6)}T08:40:00+08:00`)
    clock.now = at(day(-2))
    await attendAndComplete(http, cls, [worker], 'dev-fc-elig-1')
    clock.now = at(day(0), '10:00')
    accepted(await http.post('/v1/rule-sets', officer, groupsSet()))
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses a worker the record does not show in a target group, naming each group and its evidence, writing nothing', async () => {
    const body = await refusedWith(422, () =>
      sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, worker, 200_000)),
    )
    expect(body.code).toBe('TREC_RULE_FAILED')
    const reason = body.reasons.find((r: { rule: string }) => r.rule === 'target-group')
    expect(reason).toMatchObject({
      ruleSet: { id: 'changan-groups', version: 1 },
      details: { attested: [], claimedOn: day(0) },
    })
    expect(reason.details.accepted.map((a: { group: string }) => a.group)).toEqual([
      'migrant_worker',
      'unemployed',
      'poverty_alleviated',
      'college_graduate',
      'enterprise_employee',
    ])
    expect(reason.details.accepted[1]).toEqual({
      group: 'unemployed',
      evidence: '就业失业登记',
      systems: ['hebei-jiuye'],
    })
    expect(reason.message).toContain('unemployed (就业失业登记)')
  })

  it('refuses an attestation from a system the set does not take, then pays once the right one is recorded, citing it', async () => {
    const attest = (system: string, ref: string) =>
      sys.http.post('/v1/employment/groups', officer, {
        worker,
        region: '130102',
        group: 'unemployed',
        source: { system, ref },
        validFrom: day(-30),
      })
    accepted(await attest('some-other-system', 'X-1'))
    const still = await refusedWith(422, () =>
      sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, worker, 200_000)),
    )
    expect(still.reasons.find((r: { rule: string }) => r.rule === 'target-group').details.attested).toEqual([
      { group: 'unemployed', system: 'some-other-system', validFrom: day(-30), validTo: null },
    ])

    const attestation = accepted(await attest('hebei-jiuye', 'DJ-130102-0042')).ids[0]
    const claim = accepted(
      await sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, worker, 200_000)),
    ).claim
    accepted(await sys.http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await sys.http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    const paid = accepted(
      await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: 'FIN-ELIG-0001' }),
    )
    const payment = (await sys.store.readStream(`subsidy-${worker}`)).find((e) => e.id === paid.ids[0])!
    expect(payment.data as Json).toMatchObject({ ruleSet: { id: 'changan-groups', version: 1 } })
    expect((payment.data as { evidence: string[] }).evidence).toContain(attestation)
  })

  it('refuses a second training subsidy in the year and for the same occupation and level, before anything is paid', async () => {
    const body = await refusedWith(422, () =>
      sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, worker, 200_000)),
    )
    const rules = body.reasons.map((r: { rule: string }) => r.rule)
    expect(rules).toEqual(
      expect.arrayContaining(['duplicate-claim', 'once-per-year', 'once-per-occupation-level']),
    )
    expect(
      body.reasons.find((r: { rule: string }) => r.rule === 'once-per-occupation-level').details,
    ).toMatchObject({ occupationCode: occupations.electrician.code, level: occupations.electrician.level })
  })
})
