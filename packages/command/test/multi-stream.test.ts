import type { EventData } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleMultiStreamCommand, type MultiStreamDecision } from '../src/index.ts'

// A command over several streams: designate two institutions at once, each in its own stream.
type Event = { type: 'InstitutionDesignated'; data: EventData<'InstitutionDesignated'> }

const designated = (institution: string): Event => ({
  type: 'InstitutionDesignated',
  data: {
    institution,
    legalName: '石家庄市新航职业培训学校',
    uscc: '52130100MJ0123456N',
    region: '130102',
    kinds: ['private_provider'],
    effectiveFrom: '2024-03-01',
  },
})
const meta = {
  occurredAt: '2024-03-01T09:00:00+08:00',
  actor: { kind: 'subsidy_officer' as const, id: 'officer-7' },
  source: 'trec.training',
  region: '130102',
}
const keyed = (key: string, resumed: boolean) => {
  let n = 0
  return Object.assign(
    () => `00000000-0000-8000-8000-${key.padStart(8, '0')}${String(n++).padStart(4, '0')}`,
    {
      resumed,
    },
  )
}

describe('a command over several streams', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  /** Designates each institution not designated yet; refuses when none is left. */
  const designateAll =
    (institutions: string[], guard: string[] = []) =>
    async () => {
      const read = new Map<string, number>()
      const events: Event[] = []
      for (const institution of [...institutions, ...guard.map((s) => s.replace('institution-', ''))]) {
        const revision = await store.streamRevision(`institution-${institution}`)
        read.set(`institution-${institution}`, revision)
        if (revision < 0 && institutions.includes(institution)) events.push(designated(institution))
      }
      return { events, revisions: read, guard } satisfies MultiStreamDecision<Event>
    }

  it('appends every stream in one atomic append, each at the revision read', async () => {
    const result = await handleMultiStreamCommand(store, designateAll(['m-1', 'm-2']), { meta })
    expect([...result.streams.keys()]).toEqual(['institution-m-1', 'institution-m-2'])
    expect(result.streams.get('institution-m-2')).toMatchObject({ revision: 0, written: true })
    expect(result.ids).toHaveLength(2)
  })

  it('writes nothing when one stream moved and the decision is not taken again', async () => {
    await store.append('institution-m-4', [{ id: crypto.randomUUID(), ...designated('m-4') } as never])
    const stale = {
      events: [designated('m-3'), designated('m-4')],
      revisions: { 'institution-m-3': -1, 'institution-m-4': -1 },
    }
    const error = await handleMultiStreamCommand(store, () => stale, { meta, retries: 0 }).catch((e) => e)
    expect(isTrecError(error, 'TREC_STREAM_CONFLICT')).toBe(true)
    expect(await store.streamRevision('institution-m-3')).toBe(-1)
  })

  it('decides again after a conflict, on what the other writer appended', async () => {
    let calls = 0
    const result = await handleMultiStreamCommand(
      store,
      async () => {
        const decision = await designateAll(['m-5', 'm-6'])()
        if (calls++ === 0)
          await store.append('institution-m-6', [{ id: crypto.randomUUID(), ...designated('m-6') } as never])
        return decision
      },
      { meta },
    )
    expect(calls).toBe(2)
    expect(result.events.map((e) => e.data.institution)).toEqual(['m-5'])
  })

  it('holds a guarded stream at its read revision though nothing is written to it', async () => {
    await store.append('institution-m-8', [{ id: crypto.randomUUID(), ...designated('m-8') } as never])
    const stale = {
      events: [designated('m-7')],
      revisions: { 'institution-m-7': -1, 'institution-m-8': -1 },
      guard: ['institution-m-8'],
    }
    const error = await handleMultiStreamCommand(store, () => stale, { meta, retries: 0 }).catch((e) => e)
    expect(isTrecError(error, 'TREC_STREAM_CONFLICT')).toBe(true)
    const fresh = await handleMultiStreamCommand(store, designateAll(['m-7'], ['institution-m-8']), { meta })
    expect(fresh.streams.get('institution-m-8')).toMatchObject({ revision: 0 })
  })

  it('refuses a decision that writes to a stream it did not read', async () => {
    const error = await handleMultiStreamCommand(
      store,
      () => ({ events: [designated('m-9')], revisions: {} }),
      {
        meta,
      },
    ).catch((e) => e)
    expect(String(error)).toContain('did not read institution-m-9')
  })

  it('appends in stream-name order when asked, whatever the order of the events', async () => {
    const result = await handleMultiStreamCommand(
      store,
      () => ({
        events: [designated('m-b'), designated('m-a')],
        revisions: { 'institution-m-a': 'any', 'institution-m-b': 'any' },
      }),
      { meta, sortStreams: true },
    )
    expect([...result.streams.keys()]).toEqual(['institution-m-a', 'institution-m-b'])
  })

  it('answers a resumed retry from what its first attempt stored, deciding nothing', async () => {
    const first = await handleMultiStreamCommand(store, designateAll(['m-r1', 'm-r2']), {
      meta,
      nextId: keyed('7', false),
    })
    let decided = false
    const retry = await handleMultiStreamCommand(
      store,
      () => {
        decided = true
        return { events: [], revisions: {} }
      },
      { meta, nextId: keyed('7', true) },
    )
    expect(decided).toBe(false)
    expect(retry.ids).toEqual(first.ids)
    expect(retry.events).toEqual(first.events)
    expect(retry.streams.get('institution-m-r2')).toEqual({
      ...first.streams.get('institution-m-r2'),
      written: false,
    })
  })
})
