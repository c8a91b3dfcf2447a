// 诚信等级 with teeth, over real HTTP with the read side running (issue 26): an investigator grades
// an institution D (a sanction in force), the grade is computed and recorded as InstitutionGraded,
// its history reads back, and an advance (先行拨付) to its class is refused under a rule set whose
// practice asks at least C, the refusal naming the grade event.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import {
  accepted,
  card,
  designate,
  enrol,
  occupations,
  openClass,
  people,
  publish,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const withoutVersion = ({ version: _, ...draft }: Record<string, unknown>) => draft
const shipped = new URL('../../services/subsidy/rules/shijiazhuang-2019.json', import.meta.url)

describe('an integrity grade below the rule set’s minimum bars an advance', () => {
  let sys: System
  const institution = 'inst-130100-0042'

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
  })
  afterAll(async () => {
    await sys?.close()
  })

  it('grades D, reads the history, and refuses the advance naming the InstitutionGraded event', async () => {
    const { http } = sys
    const set = JSON.parse(readFileSync(shipped, 'utf8'))
    accepted(
      await http.post(`/v1/rule-sets/${set.id}/versions`, people.officer, {
        reason: '先行拨付比例及诚信等级要求',
        ruleSet: {
          ...withoutVersion(set),
          validFrom: '2021-03-01',
          advance: { source: 'D3 先行拨付 「不低于50%」', minShare: 0.5 },
          practice: { ...set.practice, advanceMinGrade: 'C' },
        },
      }),
    )
    await designate(http, institution, '52130100MJ0123456N')
    const cls = await openClass(http, institution, await publish(http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
    await enrol(http, cls, card(141), '2021-03-01T08:40:00+08:00')
    await caughtUp(sys)
    const graded = accepted(
      await http.post(`/v1/oversight/institutions/${institution}/grades`, people.investigator, {
        period: { from: '2020-01-01', to: '2020-12-31' },
        inputs: {
          completions: 40,
          passRate: 0.8,
          certificationRate: 0.7,
          confirmedFraud: 0,
          sanctionsInForce: 1,
        },
        thresholds: {
          A: { minCompletions: 30, passRate: 0.9, certificationRate: 0.8 },
          C: { passRate: 0.6, certificationRate: 0.4 },
          fraudForD: 2,
        },
        evidence: [],
        note: '暂停资格期间评定',
      }),
    ).ids[0] as string
    const history = accepted(
      await http.get(`/v1/oversight/institutions/${institution}/grades`, people.investigator),
      200,
    )
    expect(history).toMatchObject({ institution, latest: 'D', grades: [{ id: graded, grade: 'D' }] })

    const refused = await http.post(`/v1/classes/${cls.id}/advances`, people.finance, {
      subsidyTotal: 220_000,
      share: 0.5,
      paymentRef: 'FIN-ADV-2021-0009',
    })
    expect(refused.status, refused.text).toBe(422)
    expect(refused.text).toContain('advance-grade')
    expect(refused.text).toContain(graded)
  })
})
