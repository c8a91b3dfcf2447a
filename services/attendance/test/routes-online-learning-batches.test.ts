import {
  attendanceFacts,
  computeAttendance,
  type DomainEvent,
  decodeRecorded,
  defaultAttendancePolicy,
} from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onlineSegmentEventId } from '../src/event-ids.ts'
import {
  type DeviceKey,
  deviceKey,
  institution,
  learningBatchOf,
  opened,
  roster,
  seedOnlineClass,
  stranger,
  unsignedJws,
} from './fixtures.ts'
import { type Harness, harness, now, post } from './harness.ts'

const online = 'cls-2024-0500'
const url = '/v1/online-learning-batches'

describe('online learning batch route', () => {
  let h: Harness
  const keys: Record<string, DeviceKey> = {}
  const send = async (jws: string, device = 'plat-a') =>
    post(h.app, url, await h.tokens.mint({ sub: device, role: 'device', device, class: online }), { jws })
  const reasons = (res: { json(): { reasons: { rule: string; details?: { field?: string } }[] } }) =>
    res.json().reasons.map((r) => [r.rule, r.details?.field])

  beforeAll(async () => {
    h = await harness()
    await seedOnlineClass(h.store, online)
    const staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    keys['plat-a'] = await deviceKey('plat-a')
    const res = await post(h.app, '/v1/devices', staff, {
      device: 'plat-a',
      class: online,
      publicKey: keys['plat-a'].publicJwk,
    })
    expect(res.statusCode).toBe(201)
  })
  afterAll(() => h.close())

  it('records segments and checks atomically; bracketed segments earn every online hour, a resend writes nothing', async () => {
    const batch = learningBatchOf('plat-a', online, 'l-0001', roster.slice(0, 3))
    const head = await h.store.lastPosition()
    const jws = await keys['plat-a']!.sign(batch)
    const res = await send(jws)
    expect(res.statusCode).toBe(201)
    const ids: string[] = res.json().ids
    expect(ids).toHaveLength(batch.checks.length + batch.segments.length)
    expect(ids.slice(batch.checks.length)).toEqual(
      batch.segments.map((_, i) => onlineSegmentEventId('plat-a', 'l-0001', i)),
    )
    const written = (await h.store.readAll({ after: head, maxCount: 1000 })).map(decodeRecorded)
    expect(written.find((e) => e.id === ids.at(-1))).toMatchObject({
      type: 'OnlineLearningSegmentRecorded',
      data: { ...batch.segments.at(-1), class: online, platform: institution, signedBy: 'plat-a' },
    })
    const mine = written.filter((e) => (e.data as { worker?: string }).worker === roster[0])
    const facts = attendanceFacts(mine as (DomainEvent & { id: string })[], online)
    const schedule = opened().sessions.map((s) => ({ ...s, mode: 'online' as const }))
    const hours = computeAttendance(
      schedule.slice(0, 1),
      facts.faceChecks,
      facts.segments,
      defaultAttendancePolicy,
    )
    expect(hours).toMatchObject({ attendedHours: 3, requiredHours: 3, attendanceShare: 1 })
    const again = await send(jws)
    expect(again.json()).toEqual(res.json())
    expect(await h.store.lastPosition()).toBe(written.at(-1)!.position)
  })

  describe('refuses with 4xx naming the rule and field, appending nothing,', () => {
    let head: bigint
    beforeAll(async () => {
      head = await h.store.lastPosition()
    })
    afterAll(async () => {
      expect(await h.store.lastPosition()).toBe(head)
    })

    it('an unsigned batch', async () => {
      const res = await send(unsignedJws(learningBatchOf('plat-a', online, 'l-u', [roster[0]!]), 'plat-a'))
      expect(res.statusCode).toBe(422)
      expect(reasons(res).map(([r]) => r)).toEqual(['batch-signed'])
    })

    it('a batch signed with another key', async () => {
      const impostor = await deviceKey('plat-a')
      const res = await send(await impostor.sign(learningBatchOf('plat-a', online, 'l-i', [roster[0]!])))
      expect(res.statusCode).toBe(422)
      expect(reasons(res).map(([r]) => r)).toEqual(['batch-signed'])
    })

    it('a batch from an unregistered platform', async () => {
      const stray = await deviceKey('plat-z')
      const res = await send(
        await stray.sign(learningBatchOf('plat-z', online, 'l-z', [roster[0]!])),
        'plat-z',
      )
      expect(res.statusCode).toBe(422)
      expect(reasons(res).map(([r]) => r)).toEqual(['signer-registered'])
    })

    it('overlapping segments of one worker, future times and a stranger, each by its field', async () => {
      const batch = learningBatchOf('plat-a', online, 'l-bad', [roster[0]!])
      batch.segments[2] = { ...batch.segments[2]!, start: batch.segments[1]!.start }
      batch.segments[4] = { ...batch.segments[4]!, end: new Date(now.getTime() + 3_600_000).toISOString() }
      batch.segments[5] = { ...batch.segments[5]!, worker: stranger }
      const res = await send(await keys['plat-a']!.sign(batch))
      expect(res.statusCode).toBe(422)
      expect(reasons(res)).toEqual([
        ['segment-no-overlap', 'segments[2].start'],
        ['not-in-future', 'segments[4].end'],
        ['worker-enrolled', 'segments[5].worker'],
      ])
    })

    it('a card number inside the signed payload (here as a lesson id), with 400 naming the field', async () => {
      const batch = learningBatchOf('plat-a', online, 'l-card', [roster[0]!])
      batch.segments[3] = { ...batch.segments[3]!, lesson: 'les-11010519491231002X' }
      const res = await send(await keys['plat-a']!.sign(batch))
      expect(res.statusCode).toBe(400)
      expect(res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))).toEqual([
        'body.jws.payload.segments.3.lesson',
      ])
    })

    it('a malformed segment, with 400 naming the field', async () => {
      const batch = learningBatchOf('plat-a', online, 'l-400', [roster[0]!])
      ;(batch.segments[1] as Record<string, unknown>).playbackRate = 'fast'
      const res = await send(await keys['plat-a']!.sign(batch))
      expect(res.statusCode).toBe(400)
      expect(res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))).toEqual([
        'body.jws.payload.segments.1.playbackRate',
      ])
    })
  })
})
