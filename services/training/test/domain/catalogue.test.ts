import { spec } from '@trec/command/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { catalogueDecider, type Programme, validityOverlaps } from '../../src/domain/catalogue.ts'
import { programme } from './fixtures.ts'

const published = (p: Programme) => ({ type: 'ProgrammePublished' as const, data: p })
const publish = (p: Programme) => ({ kind: 'publish' as const, data: p })
const next = (over: Partial<Programme>): Programme => ({ ...programme, programme: 'prog-next', ...over })

describe('the programme catalogue (目录清单管理, D2)', () => {
  it('publishes a programme into an empty catalogue', () => {
    spec(catalogueDecider).given().when(publish(programme)).then(published(programme))
  })

  it('refuses a programme for the same region, occupation, level and kind in force on a shared day', () => {
    const overlapping = next({ effectiveFrom: '2024-12-31', effectiveTo: '2025-12-31' })
    const [reason] = spec(catalogueDecider)
      .given(published(programme))
      .when(publish(overlapping))
      .rejects('programme-validity-overlap')
    expect(reason!.details).toMatchObject({ programme: programme.programme })
  })

  it('refuses an open-ended programme that starts inside an existing one', () => {
    const { effectiveTo: _, ...openEnded } = next({ effectiveFrom: '2024-06-01' })
    spec(catalogueDecider)
      .given(published(programme))
      .when(publish(openEnded))
      .rejects('programme-validity-overlap')
  })

  it('accepts the next year, another level, another subsidy kind and a programme without a level', () => {
    const others = [
      next({ effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31' }),
      next({ programme: 'p-l3', level: 3 }),
      next({ programme: 'p-su', subsidyKind: 'skill_upgrade' }),
      next({ programme: 'p-nl', level: undefined }),
    ]
    for (const other of others)
      spec(catalogueDecider).given(published(programme)).when(publish(other)).then(published(other))
  })
})

describe('validity overlap', () => {
  const day = fc
    .integer({ min: 0, max: 60 })
    .map((n) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10))
  const interval = fc
    .tuple(day, fc.option(day, { nil: undefined }))
    .map(([from, to]) => (to === undefined || to >= from ? { from, to } : { from: to, to: from }))

  it('holds exactly when some day lies in both intervals, and is symmetric', () => {
    fc.assert(
      fc.property(interval, interval, (a, b) => {
        const pa = next({ effectiveFrom: a.from, effectiveTo: a.to })
        const pb = next({ effectiveFrom: b.from, effectiveTo: b.to })
        const days = Array.from({ length: 62 }, (_, n) =>
          new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10),
        )
        const within = (d: string, i: { from: string; to?: string }) =>
          d >= i.from && (i.to === undefined || d <= i.to)
        const shared =
          days.some((d) => within(d, a) && within(d, b)) || (a.to === undefined && b.to === undefined)
        expect(validityOverlaps(pa, pb)).toBe(shared)
        expect(validityOverlaps(pb, pa)).toBe(shared)
      }),
    )
  })
})
