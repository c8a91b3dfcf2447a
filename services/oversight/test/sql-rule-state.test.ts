import { describe, expect, it } from 'vitest'
import { SqlRuleState } from '../src/detectors/sql-rule-state.ts'

// A rule's state slots are written back only when they changed: a slot only read (a class's
// schedule, read by every face check) is not rewritten each batch.

/** A table of slots behind a `Query`, recording the slots each batch upserts. */
function slots(stored: Record<string, unknown>) {
  const written: string[][] = []
  const query = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => {
    if (sql.startsWith('select')) {
      const keys = params[0] as string[]
      return keys.filter((k) => k in stored).map((k) => ({ key: k, value: structuredClone(stored[k]) })) as R[]
    }
    if (sql.startsWith('insert')) {
      const upserts = JSON.parse(params[0] as string) as Record<string, unknown>
      Object.assign(stored, upserts)
      written.push(Object.keys(upserts))
    }
    return []
  }
  return { query: query as never, written }
}

describe('rule state slots in SQL', () => {
  it('save the slots set or changed in place, not those only read', async () => {
    const stored: Record<string, unknown> = { schedule: { sessions: { s1: [1, 2] } }, presence: { checks: [] } }
    const { query, written } = slots(stored)
    const state = new SqlRuleState(query, 'state')
    await state.preload(['schedule', 'presence'])
    expect(await state.get('schedule')).toEqual({ sessions: { s1: [1, 2] } })
    ;(await state.get<{ checks: number[] }>('presence'))!.checks.push(7)
    state.set('fresh', { n: 1 })
    await state.save()
    expect(written).toEqual([['presence', 'fresh']])
    expect(stored.presence).toEqual({ checks: [7] })

    // The next batch reads them again and changes nothing: nothing is written.
    const next = new SqlRuleState(query, 'state')
    await next.get('schedule')
    await next.get('presence')
    await next.save()
    expect(written).toHaveLength(1)
  })
})
