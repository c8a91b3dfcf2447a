import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { regionPrefix } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkRuleSets, loadRuleSets } from '../../src/app/rule-catalogue.ts'
import { addMonths } from '../../src/domain/dates.ts'
import { type RuleSet, ruleSetByRef, ruleSetInForce, ruleSetSchema } from '../../src/domain/rule-set.ts'
import { seedRules, sjz } from '../record.ts'

// Rule sets are effective-dated data per region, checked when loaded.

const hlj = seedRules.find((r) => r.id === 'hlj-2022')!
const refusal = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    if (isTrecError(error, 'TREC_VALIDATION')) return error
    throw error
  }
  throw new Error('expected TREC_VALIDATION')
}

describe('the seed rule sets', () => {
  it('carry the amounts of D2 for 石家庄 in fen', () => {
    expect(sjz.region).toBe('1301')
    expect(sjz.kinds.training?.amount).toEqual({
      basis: 'cap',
      perPerson: 220_000,
      shortagePerPerson: 250_000,
    })
    expect(sjz.kinds.skill_upgrade?.amount).toEqual({
      basis: 'level',
      byLevel: { 5: 100_000, 4: 150_000, 3: 200_000 },
      shortageUplift: 0.1,
    })
    expect(sjz.kinds.skill_upgrade?.contribution).toEqual({ minMonths: 12, enterpriseEmployee: true })
    expect(sjz.kinds.apprenticeship).toMatchObject({
      payees: ['enterprise'],
      perPersonPerYear: 1,
      amount: { byLevel: { 4: 400_000, 3: 600_000 } },
    })
  })

  it('carry the D3 advance floor for 黑龙江 and no amounts the seeds do not give', () => {
    expect(hlj).toMatchObject({ region: '23', advance: { minShare: 0.5 }, kinds: {} })
  })

  it('label every practice rule as not in the seeds', () => {
    for (const set of seedRules) expect(set.practice.source).toMatch(/^NOT IN SEEDS/)
  })
})

describe('which rule set is in force', () => {
  const province: RuleSet = { ...sjz, id: 'hebei', region: '13', validFrom: '2019-01-01', validTo: undefined }
  const v2: RuleSet = { ...sjz, version: 2 }
  const later: RuleSet = { ...sjz, id: 'sjz-2021', validFrom: '2021-07-01', validTo: undefined }

  it('is the most specific region covering the claim’s', () => {
    expect(ruleSetInForce([province, sjz], '130102', '2021-06-15')?.id).toBe('sjz-2019')
    expect(ruleSetInForce([province, sjz], '130202', '2021-06-15')?.id).toBe('hebei')
    expect(ruleSetInForce([province, sjz], '230100', '2021-06-15')).toBeUndefined()
  })

  it('holds only from validFrom to validTo, both days included', () => {
    expect(ruleSetInForce([sjz], '130100', '2019-10-14')).toBeUndefined()
    expect(ruleSetInForce([sjz], '130100', '2019-10-15')?.id).toBe('sjz-2019')
    expect(ruleSetInForce([sjz], '130100', '2022-12-31')?.id).toBe('sjz-2019')
    expect(ruleSetInForce([sjz], '130100', '2023-01-01')).toBeUndefined()
  })

  it('is the latest to start, then the highest version', () => {
    expect(ruleSetInForce([sjz, later], '130100', '2021-06-30')?.id).toBe('sjz-2019')
    expect(ruleSetInForce([sjz, later], '130100', '2021-07-01')?.id).toBe('sjz-2021')
    expect(ruleSetInForce([sjz, v2], '130100', '2021-07-01')?.version).toBe(2)
    expect(ruleSetByRef([sjz, v2], { id: 'sjz-2019', version: 1 })).toBe(sjz)
  })

  it('reads a six-digit code as the prefix it stands for', () => {
    expect([regionPrefix('130100'), regionPrefix('130000'), regionPrefix('130102')]).toEqual([
      '1301',
      '13',
      '130102',
    ])
  })
})

describe('loading rule sets', () => {
  it('refuses a file that does not match the schema, naming the file and the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'))
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...sjz, region: '1', surprise: true }))
    const error = refusal(() => loadRuleSets(dir))
    const paths = error.issues.map((i) => i.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['bad.json.region', 'bad.json.surprise']))
  })

  it('refuses an advance below half (D3) and a period that ends before it starts', () => {
    const error = refusal(() =>
      checkRuleSets([
        { source: 'a', value: { ...hlj, advance: { source: 'x', minShare: 0.4 } } },
        { source: 'b', value: { ...sjz, validTo: '2019-01-01' } },
      ]),
    )
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['a.advance.minShare', 'b.validTo'])
  })

  it('refuses two sets that would tie, and one version defined twice', () => {
    const twin = { ...sjz, id: 'sjz-twin' }
    const error = refusal(() =>
      checkRuleSets([
        { source: 'a', value: sjz },
        { source: 'b', value: sjz },
        { source: 'c', value: twin },
      ]),
    )
    expect(error.issues.map((i) => i.code)).toEqual(['conflict', 'conflict', 'conflict'])
  })
})

describe('deadlines in months', () => {
  it('keep the day, or take the month’s last day', () => {
    expect(addMonths('2020-06-15', 12)).toBe('2021-06-15')
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29')
    expect(addMonths('2023-11-30', 3)).toBe('2024-02-29')
  })

  it('never go backwards and land in the right month', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 240 }),
        (d, months) => {
          const day = d.toISOString().slice(0, 10)
          const later = addMonths(day, months)
          expect(later >= day).toBe(true)
          const [y, m] = day.split('-').map(Number) as [number, number]
          const [ly, lm] = later.split('-').map(Number) as [number, number]
          expect(ly * 12 + lm - (y * 12 + m)).toBe(months)
        },
      ),
    )
  })
})

describe('the kinds of the employer and the project in a set', () => {
  const shipped = seedRules.find((r) => r.id === 'sjz-2026')!
  const monthly = shipped.kinds.work_based_training!
  const issues = (work: unknown) => {
    const parsed = ruleSetSchema.safeParse({
      ...shipped,
      kinds: { ...shipped.kinds, work_based_training: work },
    })
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))
  }

  it('ship 项目制培训, 以工代训 and the completed 新型学徒制 in the 2026 sets, each labelled where the seeds give no figure', () => {
    for (const id of ['sjz-2026', 'hebei-2026', 'hlj-2026']) {
      const set = seedRules.find((r) => r.id === id)!
      expect(set.kinds.apprenticeship).toMatchObject({
        payees: ['enterprise'],
        jointBase: true,
        enterpriseRegion: true,
      })
      expect(set.kinds.project_training).toMatchObject({ payees: ['provider'], programmeOfKind: true })
      expect(set.kinds.work_based_training).toMatchObject({
        payees: ['enterprise'],
        amount: { basis: 'monthly', perMonth: 50_000, maxMonths: 6 },
      })
      expect(set.kinds.project_training!.source).toContain('not from the seeds; set by the region')
      expect(set.kinds.work_based_training!.source).toContain('not from the seeds; set by the region')
    }
  })

  it('refuses an absurd monthly amount or period, and a monthly amount without employment records', () => {
    expect(issues(monthly)).toEqual([])
    expect(issues({ ...monthly, amount: { ...monthly.amount, perMonth: 0 } })).toEqual([
      'kinds.work_based_training.amount.perMonth',
    ])
    expect(issues({ ...monthly, amount: { ...monthly.amount, perMonth: -500 } })).toEqual([
      'kinds.work_based_training.amount.perMonth',
    ])
    expect(issues({ ...monthly, amount: { ...monthly.amount, maxMonths: 0 } })).toEqual([
      'kinds.work_based_training.amount.maxMonths',
    ])
    const { employment: _, ...noRecords } = monthly
    expect(issues(noRecords)).toEqual(['kinds.work_based_training.employment'])
    expect(issues({ ...monthly, employment: { sources: [] } })).toEqual([
      'kinds.work_based_training.employment.sources',
    ])
  })
})
