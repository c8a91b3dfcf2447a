import {
  attendanceFacts,
  computeAttendance,
  type DomainEvent,
  decodeRecorded,
  defaultAttendancePolicy,
} from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CardTapBatch } from '../src/domain/card-tap-batch.ts'
import { cardTapEventId } from '../src/event-ids.ts'
import {
  classId,
  type DeviceKey,
  deviceKey,
  institution,
  opened,
  roster,
  seedClass,
  sessions,
  stranger,
  unsignedJws,
} from './fixtures.ts'
import { type Harness, harness, now, post } from './harness.ts'

// 持卡参训 over HTTP: a card reader registered to the class signs the 签到/签退 taps it read.

const minutes = (iso: string, m: number) => new Date(Date.parse(iso) + m * 60_000).toISOString()

/** Worker 0 brackets session 1 (10 minutes late, out 5 minutes after its end); worker 1 leaves 40 minutes early. */
function tapsOf(batchId: string, device = 'rdr-a'): CardTapBatch {
  const s = sessions[0]!
  return {
    device,
    class: classId,
    batchId,
    taps: [
      { worker: roster[0]!, session: s.session, tappedAt: minutes(s.start, 10), purpose: 'sign_in' },
      { worker: roster[0]!, session: s.session, tappedAt: minutes(s.end, 5), purpose: 'sign_out' },
      { worker: roster[1]!, session: s.session, tappedAt: minutes(s.start, -5), purpose: 'sign_in' },
      { worker: roster[1]!, session: s.session, tappedAt: minutes(s.end, -40), purpose: 'sign_out' },
    ],
  }
}

describe('card tap batch route', () => {
  let h: Harness
  const keys: Record<string, DeviceKey> = {}
  const send = async (jws: string, device = 'rdr-a') =>
    post(
      h.app,
      '/v1/card-tap-batches',
      await h.tokens.mint({ sub: device, role: 'device', device, class: classId }),
      {
        jws,
      },
    )
  const reasons = (res: { json(): { reasons: { rule: string; details?: { field?: string } }[] } }) =>
    res.json().reasons.map((r) => [r.rule, r.details?.field])

  beforeAll(async () => {
    h = await harness()
    await seedClass(h.store)
    const staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    keys['rdr-a'] = await deviceKey('rdr-a')
    const res = await post(h.app, '/v1/devices', staff, {
      device: 'rdr-a',
      class: classId,
      publicKey: keys['rdr-a'].publicJwk,
    })
    expect(res.statusCode).toBe(201)
  })
  afterAll(() => h.close())

  it('records a genuine batch; the bracketed session earns its hours, the one left early does not; a resend writes nothing', async () => {
    const batch = tapsOf('t-0001')
    const head = await h.store.lastPosition()
    const jws = await keys['rdr-a']!.sign(batch)
    const res = await send(jws)
    expect(res.statusCode).toBe(201)
    expect(res.json().ids).toEqual(batch.taps.map((_, i) => cardTapEventId('rdr-a', 't-0001', i)))
    const written = (await h.store.readAll({ after: head, maxCount: 100 })).map(decodeRecorded)
    // Streams are appended in name order, so the taps come back grouped by worker.
    expect(written).toHaveLength(batch.taps.length)
    expect(written.map((e) => e.data)).toEqual(
      expect.arrayContaining(batch.taps.map((t) => ({ ...t, class: classId, device: 'rdr-a' }))),
    )
    const schedule = opened().sessions.slice(0, 1)
    const hoursOf = (worker: string) => {
      const mine = written.filter((e) => (e.data as { worker?: string }).worker === worker)
      const facts = attendanceFacts(mine as (DomainEvent & { id: string })[], classId)
      return computeAttendance(
        schedule,
        facts.faceChecks,
        facts.segments,
        defaultAttendancePolicy,
        facts.taps,
      )
    }
    expect(hoursOf(roster[0]!)).toMatchObject({ attendedHours: 3, requiredHours: 3, attendanceShare: 1 })
    expect(hoursOf(roster[1]!)).toMatchObject({ attendedHours: 0, requiredHours: 3, attendanceShare: 0 })
    const again = await send(jws)
    expect(again.json()).toEqual(res.json())
    expect(await h.store.lastPosition()).toBe(written.at(-1)!.position)
  })

  describe('refuses with problem+json naming the reason, appending nothing,', () => {
    let head: bigint
    beforeAll(async () => {
      head = await h.store.lastPosition()
    })
    afterAll(async () => {
      expect(await h.store.lastPosition()).toBe(head)
    })

    it('an unsigned batch', async () => {
      const res = await send(unsignedJws(tapsOf('t-u'), 'rdr-a'))
      expect(res.statusCode).toBe(422)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(reasons(res).map(([r]) => r)).toEqual(['batch-signed'])
    })

    it('a batch signed with another key', async () => {
      const impostor = await deviceKey('rdr-a')
      const res = await send(await impostor.sign(tapsOf('t-i')))
      expect(res.statusCode).toBe(422)
      expect(reasons(res).map(([r]) => r)).toEqual(['batch-signed'])
    })

    it('taps from an unregistered reader', async () => {
      const stray = await deviceKey('rdr-z')
      const res = await send(await stray.sign(tapsOf('t-z', 'rdr-z')), 'rdr-z')
      expect(res.statusCode).toBe(422)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(reasons(res).map(([r]) => r)).toEqual(['signer-registered'])
    })

    it('a tap in the future and a tap for a worker not enrolled, each by its index', async () => {
      const batch = tapsOf('t-bad')
      batch.taps[1] = { ...batch.taps[1]!, tappedAt: new Date(now.getTime() + 3_600_000).toISOString() }
      batch.taps[2] = { ...batch.taps[2]!, worker: stranger }
      const res = await send(await keys['rdr-a']!.sign(batch))
      expect(res.statusCode).toBe(422)
      expect(reasons(res)).toEqual(
        expect.arrayContaining([
          ['not-in-future', 'taps[1]'],
          ['worker-enrolled', 'taps[2]'],
        ]),
      )
      expect(JSON.stringify(res.json())).not.toContain('checkedAt')
    })

    it('a card number in place of a pseudonym, with 400 naming the field', async () => {
      const batch = tapsOf('t-400')
      ;(batch.taps[0] as Record<string, unknown>).cardNumber = '130102199001011234'
      const res = await send(await keys['rdr-a']!.sign(batch))
      expect(res.statusCode).toBe(400)
      expect(JSON.stringify(res.json())).toContain('taps')
    })
  })
})
