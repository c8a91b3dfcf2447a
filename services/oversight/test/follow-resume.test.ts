import type { EventStore } from '@trec/eventstore'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { followUntilStopped } from '../src/service.ts'
import { alertsOf, allEvents, type Embedded, embedded } from './support/embedded.ts'
import { History, pseudonym } from './support/history.ts'
import { baoding, faceCheck, openClass, sessions } from './support/records.ts'

// The service's background follower survives its database going away: the feed failing (a
// connection reset while PostgreSQL restarts) and an alert append failing after its batch
// committed. It resumes from the checkpoints, appends what was queued, and raises each alert once.

const ann = pseudonym('ann')

/** The store, whose next `subscribe` and next `appendMany` fail as a dropped connection would. */
function failingOnce(store: EventStore, failures: { subscribe: number; appendMany: number }): EventStore {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      if (prop === 'subscribe' || prop === 'appendMany')
        return (...args: unknown[]) => {
          if (failures[prop] > 0) {
            failures[prop]--
            if (prop === 'subscribe')
              return {
                [Symbol.asyncIterator]: () => ({
                  next: () => Promise.reject(new Error('read ECONNRESET')),
                }),
              }
            return Promise.reject(new Error('read ECONNRESET'))
          }
          return value.apply(target, args)
        }
      return value.bind(target)
    },
  })
}

describe('the oversight follower', () => {
  let env: Embedded
  beforeEach(async () => {
    env = await embedded()
  })
  afterEach(async () => {
    await env.close()
  })

  it('resumes after the feed and an alert append fail, raising each alert once', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(3))
    openClass(h, 'cls-b', sessions(3))
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:15:00+08:00', { place: baoding })
    await h.appendTo(env.store)
    const failures = { subscribe: 1, appendMany: 1 }
    const side = env.readSide({ store: failingOnce(env.store, failures) })
    await side.setup()
    const errors: string[] = []
    const stop = new AbortController()
    const running = followUntilStopped(side, stop.signal, { error: (_, msg) => errors.push(msg) }, 10)
    const deadline = { timeout: 10_000, interval: 50 }
    const alerts = await vi.waitFor(async () => {
      expect(failures.appendMany).toBe(0)
      const found = await alertsOf(env.db, side)
      expect(found).not.toEqual([])
      return found
    }, deadline)
    // Settle: the queued alert is appended on resume, then the follower is live at the head.
    await vi.waitFor(
      async () => expect((await allEvents(env.store)).map((e) => e.type)).toContain('FraudAlertRaised'),
      deadline,
    )
    stop.abort()
    await running
    expect(failures).toEqual({ subscribe: 0, appendMany: 0 })
    expect(errors).toHaveLength(2)
    expect(alerts.map((a) => a.rule)).toEqual(['R4'])
    const raised = (await allEvents(env.store)).filter((e) => e.type === 'FraudAlertRaised')
    expect(raised.map((e) => e.stream)).toEqual([`oversight-${alerts[0]!.alert}`])
    const [outbox] = await env.db.query<{ n: number }>(
      `select count(*)::int as n from ${side.detectors.find((d) => d.projection.name === 'oversight_r4')!.table('outbox')}`,
    )
    expect(outbox!.n).toBe(0)
  })
})
