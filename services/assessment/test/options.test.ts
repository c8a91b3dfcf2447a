import { isTrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import { describe, expect, it } from 'vitest'
import { defaultMinimumAttendanceShare, resolveOptions } from '../src/options.ts'

// Only the shape of a store is checked when options are resolved; nothing is read or written.
const store = { append: async () => {}, appendMany: async () => [] } as unknown as EventStore

describe('service options', () => {
  it('uses the default minimum share (national practice, 80%) when none is configured', () => {
    expect(defaultMinimumAttendanceShare).toBe(0.8)
    expect(resolveOptions({ store }).completionPolicy('130102')).toEqual({
      minimumAttendanceShare: 0.8,
      completionAfter: 'last_session_ended',
      graceMinutes: 15,
      maxPlaybackRate: 1,
      checksPerHour: 2,
    })
  })

  it('takes the longest matching region prefix, then `*`, then the default', () => {
    const o = resolveOptions({ store, minimumAttendanceShare: { '13': 0.85, '1301': 0.9, '230100': 0.95 } })
    expect(
      ['130102', '130203', '230100', '110101'].map((r) => o.completionPolicy(r).minimumAttendanceShare),
    ).toEqual([0.9, 0.85, 0.95, 0.8])
    expect(
      resolveOptions({ store, minimumAttendanceShare: { '*': 0.7 } }).completionPolicy('110101')
        .minimumAttendanceShare,
    ).toBe(0.7)
    expect(
      resolveOptions({ store, minimumAttendanceShare: 0.9 }).completionPolicy('650100')
        .minimumAttendanceShare,
    ).toBe(0.9)
  })

  it('lets rule data say which certificate kinds need an assessment on the record', () => {
    const o = resolveOptions({ store, certificateKinds: { special_operation: { requiresAssessment: true } } })
    expect(o.kindRule('special_operation')).toEqual({ levelled: false, requiresAssessment: true })
    expect(o.kindRule('skill_level')).toEqual({ levelled: true, requiresAssessment: true })
  })

  it('refuses bad options with every problem named', () => {
    try {
      resolveOptions({
        store: {} as EventStore,
        minimumAttendanceShare: { '1': 1.2 },
        completionAfter: 'never' as never,
      })
      expect.unreachable()
    } catch (error) {
      expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
      const paths = (error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join('.'))
      expect(paths).toEqual(expect.arrayContaining(['store', 'minimumAttendanceShare', 'completionAfter']))
    }
  })
})
