import { describe, expect, it } from 'vitest'
import { publicationHold, publicationPeriod } from '../../src/domain/publication.ts'

// 公示 before payment (NOT IN SEEDS): the period counts the day of approval as its first, and the
// hold is lifted the day after its last, unless an objection waits for a ruling.

describe('publication before payment', () => {
  it('counts the day of approval as the first of the period, across a month end', () => {
    expect(publicationPeriod('2026-01-29', 7)).toEqual({ from: '2026-01-29', to: '2026-02-04' })
    expect(publicationPeriod('2026-03-02', 1)).toEqual({ from: '2026-03-02', to: '2026-03-02' })
  })

  it('holds a published claim until the day after the period, naming the last day', () => {
    const claim = { publication: { from: '2026-03-02', to: '2026-03-08' }, objections: [] }
    expect(publicationHold(claim, '2026-03-08')).toMatchObject({
      rule: 'publication',
      details: { until: '2026-03-08' },
    })
    expect(publicationHold(claim, '2026-03-09')).toBeUndefined()
    expect(publicationHold({ objections: [] }, '2026-03-02')).toBeUndefined()
  })

  it('holds a claim with an open objection after the period, and lets it go once dismissed', () => {
    const publication = { from: '2026-03-02', to: '2026-03-08' }
    const open = { objection: 'pob-1', reason: '异议' }
    expect(publicationHold({ publication, objections: [open] }, '2026-03-20')).toMatchObject({
      rule: 'publication-objection',
      details: { objection: 'pob-1' },
    })
    const dismissed = { ...open, outcome: 'dismissed' as const }
    expect(publicationHold({ publication, objections: [dismissed] }, '2026-03-20')).toBeUndefined()
  })
})
