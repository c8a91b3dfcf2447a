import { testPlatform } from '@trec/fastify-kit/testing'
import { ProjectionRunner } from '@trec/projections'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { alertEventIdOf } from '../src/detectors/alert-event.ts'
import { oversightService } from '../src/index.ts'
import { alertsOf, allEvents, type Embedded, embedded } from './support/embedded.ts'
import { History, pseudonym } from './support/history.ts'
import { baoding, certificate, claim, faceCheck, openClass, sessions, templateOf } from './support/records.ts'

// The detectors as projections over a real store: alerts go into the log as events, each once,
// whatever is redelivered or rebuilt; every oversight read model rebuilt from zero equals the
// live one.

const ann = pseudonym('ann')
const bob = pseudonym('bob')

function suspiciousHistory(): History {
  const h = new History()
  openClass(h, 'cls-a', sessions(3))
  openClass(h, 'cls-b', sessions(3))
  faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
  faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:15:00+08:00', { place: baoding })
  faceCheck(h, bob, 'cls-a', 's1', '2024-04-08T08:56:00+08:00', { templateHash: templateOf(ann) })
  certificate(h, ann, 'cert-1', { level: 3, issuedOn: '2023-06-01' })
  claim(h, ann, 'clm-1', { level: 4 })
  claim(h, ann, 'clm-2', { level: 4, payee: { kind: 'provider', id: 'inst-2' } })
  return h
}

describe('detectors over the store', () => {
  let env: Embedded
  beforeEach(async () => {
    env = await embedded()
  })
  afterEach(async () => {
    await env.close()
  })

  it('append each alert once, as the first event of its own stream, while the events arrive', async () => {
    const h = suspiciousHistory()
    await h.appendTo(env.store)
    const side = env.readSide()
    await side.setup()
    await side.catchUp()
    const alerts = await alertsOf(env.db, side)
    expect(alerts.map((a) => `${a.rule} ${a.subject_kind} ${a.subject_id}`).sort()).toEqual([
      'R1 claim clm-2',
      'R3 claim clm-1',
      'R3 claim clm-2',
      `R4 worker ${ann}`,
      `R6 template ${templateOf(ann)}`,
    ])
    for (const a of alerts) {
      const stream = await env.store.readStream(`oversight-${a.alert}`)
      expect(stream.map((e) => [e.type, e.id])).toEqual([['FraudAlertRaised', alertEventIdOf(a.alert)]])
      expect(a.evidence.length).toBeGreaterThan(0)
    }
  })

  it('raises nothing twice when every batch is delivered again, and the read models do not move', async () => {
    await suspiciousHistory().appendTo(env.store)
    const side = env.readSide()
    await side.setup()
    await side.catchUp()
    const digests = await Promise.all(side.runners.map((r) => r.digest()))
    const head = await env.store.lastPosition()
    const events = await allEvents(env.store)
    for (const runner of side.runners) expect(await runner.applyBatch('feed', events)).toBe(0)
    expect(await Promise.all(side.runners.map((r) => r.digest()))).toEqual(digests)
    expect(await env.store.lastPosition()).toBe(head)
  })

  it('appends alerts queued by a run that stopped between its commit and its append, once', async () => {
    await suspiciousHistory().appendTo(env.store)
    const side = env.readSide({ enabled: ['R4'] })
    await side.setup()
    const events = await allEvents(env.store)
    const [detector] = side.detectors
    // The batch commits (state, raised, outbox) but the process dies before the append.
    await ProjectionRunner.prototype.applyBatch.call(detector, 'feed', events)
    expect((await allEvents(env.store)).filter((e) => e.type === 'FraudAlertRaised')).toHaveLength(0)
    // Restarted: setup flushes what was queued.
    const restarted = env.readSide({ enabled: ['R4'] })
    await restarted.setup()
    await restarted.catchUp()
    expect((await allEvents(env.store)).filter((e) => e.type === 'FraudAlertRaised')).toHaveLength(1)
  })

  it('rebuilds every oversight read model from zero to the digest of the live one, appending nothing', async () => {
    const h = suspiciousHistory()
    await h.appendTo(env.store)
    const live = env.readSide()
    await live.setup()
    await live.catchUp()
    // More events after the live run started.
    const late = new History()
    faceCheck(late, bob, 'cls-b', 's2', '2024-04-09T09:01:00+08:00', { templateHash: templateOf(ann) })
    claim(late, bob, 'clm-b1')
    await late.appendTo(env.store)
    await live.catchUp()
    const head = await env.store.lastPosition()

    const rebuilt = env.readSide({ schema: `${env.readSchema}_rebuild`, batchSize: 3 })
    await rebuilt.setup()
    await rebuilt.catchUp()
    expect(await env.store.lastPosition()).toBe(head)
    for (const [i, runner] of live.runners.entries())
      expect([runner.projection.name, await rebuilt.runners[i]!.digest()]).toEqual([
        runner.projection.name,
        await runner.digest(),
      ])
  })

  it('follow the feed while the service runs, raising alerts as the events arrive, and stop with it', async () => {
    const side = env.readSide()
    const { app } = await testPlatform(env.db)
    await app.register(oversightService, { store: env.store, db: env.db, readSide: side })
    await app.ready()
    const h = new History()
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:15:00+08:00', { place: baoding })
    await h.appendTo(env.store)
    await vi.waitFor(async () => expect((await alertsOf(env.db, side)).map((a) => a.rule)).toEqual(['R4']), {
      timeout: 10_000,
      interval: 100,
    })
    await app.close()
  })
})
