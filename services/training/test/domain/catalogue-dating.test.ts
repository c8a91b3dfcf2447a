import { spec } from '@trec/command/testing'
import { type DatedEntry, emptyCatalogues, evolveCatalogues, versionOn, versionsOf } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { catalogueDecider, type Programme } from '../../src/domain/catalogue.ts'
import {
  institutionNotListed,
  programmeNotInForce,
  programmeWithdrawn,
} from '../../src/domain/catalogue-checks.ts'
import { programme } from './fixtures.ts'

// 动态调整 and 清退 of catalogue entries (docs/domain.md, "Catalogues"): an adjustment gives a new
// version from a day and ends the previous one the day before; a withdrawal ends the entry; the
// record is never rewritten, and a retry appends nothing.

const published = { type: 'ProgrammePublished' as const, data: programme }
const adjust = (effectiveFrom: string, changes: Record<string, unknown> = { amount: 275_000 }) => ({
  kind: 'adjust' as const,
  catalogue: 'programmes' as const,
  entry: programme.programme,
  region: programme.region,
  effectiveFrom,
  changes,
  reason: '调整补贴标准',
})
const adjusted = (effectiveFrom: string, changes: Record<string, unknown> = { amount: 275_000 }) => ({
  type: 'ProgrammeAdjusted' as const,
  data: {
    programme: programme.programme,
    region: programme.region,
    effectiveFrom,
    changes,
    reason: '调整补贴标准',
  },
})
const withdraw = (effectiveFrom: string, reason = 'no_longer_needed') => ({
  kind: 'withdraw' as const,
  catalogue: 'programmes' as const,
  entry: programme.programme,
  region: programme.region,
  effectiveFrom,
  reason,
})
const withdrawn = (effectiveFrom: string) => ({
  type: 'ProgrammeWithdrawn' as const,
  data: {
    programme: programme.programme,
    region: programme.region,
    effectiveFrom,
    reason: 'no_longer_needed' as const,
  },
})

const entryAfter = (...events: { type: string; data: unknown }[]) =>
  events.reduce(evolveCatalogues, emptyCatalogues()).programmes[0] as DatedEntry<Programme>

describe('动态调整 of a programme', () => {
  it('appends the adjustment; the old version ends the day before, both stay in the history', () => {
    spec(catalogueDecider).given(published).when(adjust('2024-07-01')).then(adjusted('2024-07-01'))
    const entry = entryAfter(published, adjusted('2024-07-01'))
    expect(versionsOf(entry).map((v) => [v.effectiveFrom, v.effectiveTo, v.amount])).toEqual([
      ['2024-01-01', '2024-06-30', 250_000],
      ['2024-07-01', '2024-12-31', 275_000],
    ])
    expect(versionOn(entry, '2024-06-30')?.amount).toBe(250_000)
    expect(versionOn(entry, '2024-07-01')?.amount).toBe(275_000)
  })

  it('appends nothing when the same adjustment is sent again', () => {
    spec(catalogueDecider).given(published, adjusted('2024-07-01')).when(adjust('2024-07-01')).then()
  })

  it('refuses an adjustment that would rewrite the past, and one after the entry ends', () => {
    const [early] = spec(catalogueDecider)
      .given(published, adjusted('2024-07-01'))
      .when(adjust('2024-05-01', { amount: 1 }))
      .rejects('adjustment-not-after-current')
    expect(early!.details).toMatchObject({ field: 'effectiveFrom', currentFrom: '2024-07-01' })
    spec(catalogueDecider).given(published).when(adjust('2025-01-01')).rejects('adjustment-outside-validity')
  })

  it('refuses an adjustment of a withdrawn entry, citing the entry', () => {
    const [reason] = spec(catalogueDecider)
      .given(published, withdrawn('2024-10-01'))
      .when(adjust('2024-11-01'))
      .rejects('catalogue-entry-withdrawn')
    expect(reason!.details).toMatchObject({
      field: 'entry',
      entry: programme.programme,
      withdrawnFrom: '2024-10-01',
    })
  })

  it('refuses an adjustment of an entry the catalogue does not hold', () => {
    spec(catalogueDecider).given().when(adjust('2024-07-01')).rejects('catalogue-entry-unknown')
  })
})

describe('清退 of a programme', () => {
  it('ends the entry the day before; a retry appends nothing; another day is refused', () => {
    spec(catalogueDecider).given(published).when(withdraw('2024-10-01')).then(withdrawn('2024-10-01'))
    const entry = entryAfter(published, adjusted('2024-07-01'), withdrawn('2024-10-01'))
    expect(versionsOf(entry).at(-1)).toMatchObject({ effectiveFrom: '2024-07-01', effectiveTo: '2024-09-30' })
    expect(versionOn(entry, '2024-10-01')).toBeUndefined()
    spec(catalogueDecider).given(published, withdrawn('2024-10-01')).when(withdraw('2024-10-01')).then()
    spec(catalogueDecider)
      .given(published, withdrawn('2024-10-01'))
      .when(withdraw('2024-11-01'))
      .rejects('catalogue-entry-withdrawn')
  })

  it('refuses a withdrawal before the entry starts or after it ended, naming effectiveFrom', () => {
    const [before] = spec(catalogueDecider)
      .given(published)
      .when(withdraw('2023-12-31'))
      .rejects('withdrawal-before-start')
    expect(before!.details).toMatchObject({ field: 'effectiveFrom', entryFrom: '2024-01-01' })
    spec(catalogueDecider).given(published).when(withdraw('2025-02-01')).rejects('withdrawal-after-end')
  })

  it('frees the days after a withdrawal for another programme of the same occupation, level and kind', () => {
    const { effectiveTo: _, ...rest } = programme
    const successor = { ...rest, programme: 'prog-next', effectiveFrom: '2024-10-01' }
    spec(catalogueDecider)
      .given(published)
      .when({ kind: 'publish', data: successor })
      .rejects('programme-validity-overlap')
    spec(catalogueDecider)
      .given(published, withdrawn('2024-10-01'))
      .when({ kind: 'publish', data: successor })
      .then({ type: 'ProgrammePublished', data: successor })
  })
})

describe('the other catalogues, same shape', () => {
  const listed = {
    type: 'ListedInstitutionPublished' as const,
    data: {
      entry: 'lst-1',
      region: '130100',
      institution: 'inst-1',
      legalName: '某职业培训学校',
      effectiveFrom: '2024-01-01',
    },
  }

  it('refuses a second listing of an institution on shared days; a retry of the same one appends nothing', () => {
    spec(catalogueDecider)
      .given(listed)
      .when({ kind: 'publish', catalogue: 'institutions', data: { ...listed.data, entry: 'lst-2' } })
      .rejects('catalogue-validity-overlap')
    spec(catalogueDecider)
      .given(listed)
      .when({ kind: 'publish', catalogue: 'institutions', data: listed.data })
      .then()
  })

  it('adjusts and withdraws an evaluation body under its own event types', () => {
    const body = {
      type: 'EvaluationBodyPublished' as const,
      data: {
        entry: 'evb-1',
        region: '130000',
        body: 'eval-1',
        kind: 'social_evaluation_org' as const,
        name: '评价组织',
        effectiveFrom: '2024-01-01',
      },
    }
    const base = { catalogue: 'evaluationBodies' as const, entry: 'evb-1', region: '130000' }
    spec(catalogueDecider)
      .given(body)
      .when({
        kind: 'adjust',
        ...base,
        effectiveFrom: '2024-03-01',
        changes: { name: '新名' },
        reason: '更名',
      })
      .then({
        type: 'EvaluationBodyAdjusted',
        data: {
          entry: 'evb-1',
          region: '130000',
          effectiveFrom: '2024-03-01',
          changes: { name: '新名' },
          reason: '更名',
        },
      })
    spec(catalogueDecider)
      .given(body)
      .when({ kind: 'withdraw', ...base, effectiveFrom: '2024-05-01', reason: 'rule_violation' })
      .then({
        type: 'EvaluationBodyWithdrawn',
        data: { entry: 'evb-1', region: '130000', effectiveFrom: '2024-05-01', reason: 'rule_violation' },
      })
  })
})

describe('what the catalogues say about a class on its start day', () => {
  const entry = entryAfter(published, withdrawn('2024-10-01'))

  it('cites the withdrawn programme from the withdrawal day on, and not before', () => {
    expect(programmeWithdrawn({ programme: entry }, '2024-09-30')).toBeUndefined()
    expect(programmeWithdrawn({ programme: entry }, '2024-10-01')).toMatchObject({
      rule: 'programme-withdrawn',
      details: { field: 'programme', programme: programme.programme, withdrawnFrom: '2024-10-01' },
    })
  })

  it('says a programme not yet in force is not in force (and a withdrawn one only withdrawn)', () => {
    expect(programmeNotInForce({ programme: entry }, '2023-12-01')?.rule).toBe('programme-not-in-force')
    expect(programmeNotInForce({ programme: entry }, '2024-11-01')).toBeUndefined()
  })

  it('refuses an unlisted institution only when the rule set asks, citing the set', () => {
    const ruleSet = { id: 'hebei', version: 2 }
    expect(institutionNotListed({}, 'inst-1', '2024-03-01')).toBeUndefined()
    expect(institutionNotListed({ listing: { ruleSet, entries: [] } }, 'inst-1', '2024-03-01')).toMatchObject(
      {
        rule: 'institution-not-listed',
        ruleSet,
      },
    )
  })
})
