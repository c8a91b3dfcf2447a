import { expect, it, vi } from 'vitest'
import { pollFeed } from '../src/feed.ts'
import type { ReadAllOptions, RecordedEvent } from '../src/types.ts'
import { Wake } from '../src/wake.ts'

/** A feed over an array: `add` appends an event and wakes the followers, as a local append does. */
function memoryFeed() {
  const events: RecordedEvent[] = []
  const wake = new Wake()
  const readAll = async ({ after = 0n, maxCount = 1000 }: ReadAllOptions) =>
    events.filter((e) => e.position > after).slice(0, maxCount)
  const add = () => {
    const n = events.length + 1
    events.push({
      id: `e${n}`,
      stream: 's',
      revision: n - 1,
      position: BigInt(n),
      type: 'T',
      data: {},
      metadata: {},
      recordedAt: '',
    })
    wake.notify()
  }
  return { readAll, wake, add }
}

it('follows a lone append after settleMs, and waits busySettleMs when appends came while it handled a batch', async () => {
  const { readAll, wake, add } = memoryFeed()
  const controller = new AbortController()
  const seen: { ids: string[]; at: number }[] = []
  let handling: (() => void) | undefined
  const follower = (async () => {
    for await (const batch of pollFeed(readAll, wake, {
      idlePollMs: 60_000,
      settleMs: 0,
      busySettleMs: 400,
      signal: controller.signal,
    })) {
      seen.push({ ids: batch.events.map((e) => e.id), at: performance.now() })
      if (batch.events.length > 0) handling?.()
    }
  })()
  await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000 }) // caught up, empty
  // Idle: one append is followed at once, not after busySettleMs or the idle poll (60 s).
  handling = () => {
    handling = undefined
    add() // another command appends while this batch is handled
  }
  add()
  await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 10_000 })
  expect(seen[1]!.ids).toEqual(['e1'])
  // Busy: the append made during the handling is read only after busySettleMs.
  await vi.waitFor(() => expect(seen).toHaveLength(3), { timeout: 10_000 })
  expect(seen[2]!.ids).toEqual(['e2'])
  expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(390)
  controller.abort()
  await follower
})
