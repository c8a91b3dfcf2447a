import { randomUUID } from 'node:crypto'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { afterEach, describe, expect, it } from 'vitest'
import { coalesceAppends } from '../src/coalesce.ts'
import type { EventStore, EventToAppend } from '../src/types.ts'

const event = (n: number): EventToAppend => ({ id: randomUUID(), type: 'Counted', data: { n } })

/** A real store that counts the calls that reach it (and can lose the answer of one appendMany). */
async function countedStore(options: { loseAnswerOfFirstGroup?: boolean } = {}) {
  const store = await openPGliteEventStore()
  const calls = { append: 0, appendMany: 0, readStream: 0, readStreams: 0 }
  let lose = options.loseAnswerOfFirstGroup ?? false
  const counted: EventStore = {
    ...store,
    readStream(...args) {
      calls.readStream++
      return store.readStream(...args)
    },
    readStreams(streams) {
      calls.readStreams++
      return store.readStreams(streams)
    },
    streamRevision: store.streamRevision.bind(store),
    readAll: store.readAll.bind(store),
    headPosition: store.headPosition.bind(store),
    lastPosition: store.lastPosition.bind(store),
    subscribe: store.subscribe.bind(store),
    close: store.close.bind(store),
    append(...args) {
      calls.append++
      return store.append(...args)
    },
    async appendMany(...args) {
      calls.appendMany++
      const results = await store.appendMany(...args)
      if (lose) {
        lose = false
        throw new Error('connection lost after commit')
      }
      return results
    },
  }
  return { store, calls, coalesced: coalesceAppends(counted) }
}

describe('coalesced appends (group commit)', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => close?.())

  it('writes appends that arrive while one is in flight together, and answers each with its own result', async () => {
    const { store, calls, coalesced } = await countedStore()
    close = () => store.close()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => coalesced.append(`counter-${i}`, [event(i), event(i)])),
    )
    // The first went alone; the other 19 waited for it and went as one group.
    expect(calls).toMatchObject({ append: 1, appendMany: 1 })
    results.forEach((r) => {
      expect(r.revision).toBe(1)
      expect(r.written).toBe(true)
    })
    for (let i = 0; i < 20; i++) {
      const stored = await store.readStream(`counter-${i}`)
      expect(stored.map((e) => e.data.n)).toEqual([i, i])
      expect(stored.map((e) => e.position)).toEqual(results[i]!.positions)
    }
  })

  it('keeps appends to one stream in the order they were made, in separate groups', async () => {
    const { store, coalesced } = await countedStore()
    close = () => store.close()
    const results = await Promise.all([
      coalesced.append('other-1', [event(0)]),
      coalesced.append('same-1', [event(1)], { expectedRevision: 'no_stream' }),
      coalesced.append('same-1', [event(2)], { expectedRevision: 0 }),
      coalesced.append('same-1', [event(3)], { expectedRevision: 1 }),
    ])
    expect(results.slice(1).map((r) => r.revision)).toEqual([0, 1, 2])
    expect((await store.readStream('same-1')).map((e) => e.data.n)).toEqual([1, 2, 3])
  })

  it('gives a conflicting append its own error and still writes every other append of its group', async () => {
    const { store, calls, coalesced } = await countedStore()
    close = () => store.close()
    await store.append('taken-1', [event(0)])
    const first = coalesced.append('warm-1', [event(0)])
    const group = [
      coalesced.append('fine-1', [event(1)]),
      coalesced.append('taken-1', [event(2)], { expectedRevision: 'no_stream' }),
      coalesced.append('fine-2', [event(3)]),
    ]
    const settled = await Promise.allSettled([first, ...group])
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'TREC_STREAM_CONFLICT' })
    // The group failed as a whole, then each part went alone.
    expect(calls.appendMany).toBe(1)
    expect(calls.append).toBe(4)
    expect(await store.streamRevision('fine-1')).toBe(0)
    expect(await store.streamRevision('fine-2')).toBe(0)
    expect((await store.readStream('taken-1')).map((e) => e.data.n)).toEqual([0])
  })

  it('writes nothing twice when a group committed but its answer was lost', async () => {
    const { store, coalesced } = await countedStore({ loseAnswerOfFirstGroup: true })
    close = () => store.close()
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => coalesced.append(`lost-${i}`, [event(i)])),
    )
    // The group of four was committed; their retries alone found their ids and wrote nothing.
    expect(results.map((r) => r.written)).toEqual([true, false, false, false, false])
    expect(await store.readAll()).toHaveLength(5)
  })

  it('reads whole streams asked for at the same time in one read, each caller getting its own stream', async () => {
    const { store, calls, coalesced } = await countedStore()
    close = () => store.close()
    for (let i = 0; i < 6; i++) await store.append(`read-${i}`, [event(i), event(i + 10)])
    const streams = await Promise.all(
      ['read-0', 'read-1', 'missing-1', 'read-2', 'read-3', 'read-4', 'read-5'].map((s) =>
        coalesced.readStream(s),
      ),
    )
    expect(streams.map((events) => events.map((e) => e.data.n))).toEqual([
      [0, 10],
      [1, 11],
      [],
      [2, 12],
      [3, 13],
      [4, 14],
      [5, 15],
    ])
    expect(calls).toMatchObject({ readStream: 0, readStreams: 2 })
    // Partial reads are not grouped.
    expect((await coalesced.readStream('read-1', { direction: 'backwards', maxCount: 1 }))[0]!.data.n).toBe(
      11,
    )
    expect(calls.readStream).toBe(1)
  })

  it('answers a bad stream name with its own error, not the other reads of its group', async () => {
    const { store, coalesced } = await countedStore()
    close = () => store.close()
    await store.append('good-1', [event(1)])
    const settled = await Promise.allSettled([
      coalesced.readStream('good-1'),
      coalesced.readStream('good-1'),
      coalesced.readStream(''),
    ])
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
  })

  it('passes appends with a beforeCommit hook straight through', async () => {
    const { store, calls, coalesced } = await countedStore()
    close = () => store.close()
    let ran = false
    await coalesced.append('hooked-1', [event(0)], {
      beforeCommit: async () => {
        ran = true
      },
    })
    expect(ran).toBe(true)
    expect(calls).toMatchObject({ append: 1, appendMany: 0 })
  })
})
