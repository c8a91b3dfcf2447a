import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchCorrelationId, faceCheckEventId } from '../src/event-ids.ts'
import {
  batchOf,
  classId,
  type DeviceKey,
  deviceKey,
  faceCheck,
  institution,
  region,
  roster,
  seed,
  seedClass,
  sessions,
  stranger,
  unsignedJws,
} from './fixtures.ts'
import { type Harness, harness, post } from './harness.ts'

const otherClass = 'cls-2024-0400'

describe('face-check batch route', () => {
  let h: Harness
  const keys: Record<string, DeviceKey> = {}
  const token = (device: string, cls = classId) =>
    h.tokens.mint({ sub: device, role: 'device', device, class: cls })
  const send = async (jws: string, device = 'dev-a', cls = classId, headers: Record<string, string> = {}) =>
    post(h.app, '/v1/face-check-batches', await token(device, cls), { jws }, headers)
  const rules = (res: { json(): { reasons: { rule: string }[] } }) => res.json().reasons.map((r) => r.rule)

  beforeAll(async () => {
    h = await harness()
    await seedClass(h.store)
    await seedClass(h.store, { class: otherClass })
    const staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    for (const [device, cls, alg] of [
      ['dev-a', classId, 'EdDSA'],
      ['dev-b', classId, 'ES256'],
      ['dev-c', otherClass, 'EdDSA'],
      ['dev-r', classId, 'EdDSA'],
    ] as const) {
      keys[device] = await deviceKey(device, alg)
      const res = await post(h.app, '/v1/devices', staff, {
        device,
        class: cls,
        publicKey: keys[device]!.publicJwk,
      })
      expect(res.statusCode).toBe(201)
    }
  })
  afterAll(() => h.close())

  it('records a batch of 500 checks atomically, one part per worker stream, ids from (device, batch, index)', async () => {
    const batch = batchOf('dev-a', 'b-0001', 500)
    const head = await h.store.lastPosition()
    const res = await send(await keys['dev-a']!.sign(batch))
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.ids).toEqual(batch.checks.map((_, i) => faceCheckEventId('dev-a', 'b-0001', i)))
    expect(body.streams).toHaveLength(roster.length)
    expect(body.streams.map((s: { stream: string }) => s.stream)).toEqual(
      roster.map((w) => `attendance-${w}`).sort(),
    )
    expect(body.streams.reduce((n: number, s: { revision: number }) => n + s.revision + 1, 0)).toBe(500)
    const written = (await h.store.readAll({ after: head, maxCount: 1000 })).map(decodeRecorded)
    expect(written).toHaveLength(500)
    const first = written.find((e) => e.id === body.ids[0])!
    expect(first).toMatchObject({
      type: 'FaceCheckRecorded',
      stream: `attendance-${batch.checks[0]!.worker}`,
      occurredAt: batch.checks[0]!.checkedAt,
      actor: { kind: 'device', id: 'dev-a', institution },
      source: 'trec.attendance',
      region,
      correlationId: batchCorrelationId('dev-a', 'b-0001'),
      data: { ...batch.checks[0], class: classId, device: 'dev-a' },
    })
  })

  it('answers a resent batch the same and writes nothing', async () => {
    const batch = batchOf('dev-a', 'b-0002', 20)
    const jws = await keys['dev-a']!.sign(batch)
    const first = await send(jws)
    const head = await h.store.lastPosition()
    const again = await send(await keys['dev-a']!.sign(batch))
    expect(again.statusCode).toBe(first.statusCode)
    expect(again.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('refuses a batch id reused for other checks (409), writing nothing', async () => {
    const head = await h.store.lastPosition()
    const res = await send(await keys['dev-a']!.sign(batchOf('dev-a', 'b-0002', 20, 100)))
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('TREC_EVENT_ID_REUSED')
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('takes ES256 batches from a P-256 device', async () => {
    const res = await send(await keys['dev-b']!.sign(batchOf('dev-b', 'b-1', 10)), 'dev-b')
    expect(res.statusCode).toBe(201)
  })

  describe('refuses with 422 and its rule, appending nothing,', () => {
    let head: bigint
    beforeAll(async () => {
      head = await h.store.lastPosition()
    })
    afterAll(async () => {
      expect(await h.store.lastPosition()).toBe(head)
    })

    it('an unsigned batch (alg none): batch-signed', async () => {
      const res = await send(unsignedJws(batchOf('dev-a', 'b-u', 2), 'dev-a'))
      expect(res.statusCode).toBe(422)
      expect(rules(res)).toEqual(['batch-signed'])
    })

    it("a batch signed by a key that is not the device's registered one: batch-signed", async () => {
      const impostor = await deviceKey('dev-a')
      const res = await send(await impostor.sign(batchOf('dev-a', 'b-i', 2)))
      expect(rules(res)).toEqual(['batch-signed'])
    })

    it('an EdDSA device batch sent with the ES256 algorithm: batch-signed', async () => {
      const res = await send(await keys['dev-b']!.sign(batchOf('dev-a', 'b-x', 2), { kid: 'dev-a' }))
      expect(rules(res)).toEqual(['batch-signed'])
    })

    it('a batch whose kid names no registered device: signer-registered', async () => {
      const stray = await deviceKey('dev-zz')
      const res = await send(await stray.sign(batchOf('dev-zz', 'b-z', 2)), 'dev-zz')
      expect(rules(res)).toEqual(['signer-registered'])
    })

    it("a batch signed with another device's key: signer-is-caller", async () => {
      const res = await send(await keys['dev-b']!.sign(batchOf('dev-b', 'b-f', 2)), 'dev-a')
      expect(res.statusCode).toBe(422)
      expect(rules(res)).toEqual(['signer-is-caller'])
    })

    it("a batch for a class that isn't the device's: class-of-device", async () => {
      const res = await send(
        await keys['dev-c']!.sign({ ...batchOf('dev-c', 'b-c', 2), class: classId }),
        'dev-c',
        otherClass,
      )
      expect(rules(res)).toEqual(['class-of-device'])
    })

    it('a batch with refused checks, whole, with each refused check by index, rule and message', async () => {
      const batch = batchOf('dev-a', 'b-bad', 10)
      batch.checks[3] = faceCheck(3, { worker: stranger })
      batch.checks[7] = faceCheck(7, {
        checkedAt: new Date(Date.parse(sessions[1]!.start) - 16 * 60_000).toISOString(),
      })
      const res = await send(await keys['dev-a']!.sign(batch))
      expect(res.statusCode).toBe(422)
      expect(res.json().reasons).toEqual([
        { index: 3, rule: 'worker-enrolled', message: expect.any(String) },
        { index: 7, rule: 'within-session', message: expect.any(String) },
      ])
    })
  })

  it('refuses a check carrying an image, and other malformed batches, with 400 naming the field', async () => {
    const head = await h.store.lastPosition()
    const withImage = batchOf('dev-a', 'b-img', 2)
    ;(withImage.checks[1] as Record<string, unknown>).image = 'data:image/jpeg;base64,/9j/4AAQ'
    const res = await send(await keys['dev-a']!.sign(withImage))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([
      {
        path: ['body', 'jws', 'payload', 'checks', 1, 'image'],
        code: 'unrecognized_keys',
        message: 'unknown field "image"',
      },
    ])
    const { purpose: _, ...noPurpose } = faceCheck(0)
    const bad = await send(await keys['dev-a']!.sign({ ...batchOf('dev-a', 'b-np', 1), checks: [noPurpose] }))
    expect(bad.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))).toEqual([
      'body.jws.payload.checks.0.purpose',
    ])
    const notJws = await send('not a jws')
    expect(notJws.statusCode).toBe(400)
    expect(notJws.json().errors[0].path).toEqual(['body', 'jws'])
    const extra = await post(h.app, '/v1/face-check-batches', await token('dev-a'), { jws: 'a.b.c', more: 1 })
    expect(extra.statusCode).toBe(400)
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('answers 401 without a token, 403 to another role and to a device token without its class', async () => {
    const jws = await keys['dev-a']!.sign(batchOf('dev-a', 'b-auth', 1))
    expect((await post(h.app, '/v1/face-check-batches', '', { jws })).statusCode).toBe(401)
    const staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    expect((await post(h.app, '/v1/face-check-batches', staff, { jws })).statusCode).toBe(403)
    const classless = await h.tokens.mint({ sub: 'dev-a', role: 'device', device: 'dev-a' })
    expect((await post(h.app, '/v1/face-check-batches', classless, { jws })).statusCode).toBe(403)
  })

  it('appends once for one Idempotency-Key and answers the retry the same', async () => {
    const jws = await keys['dev-a']!.sign(batchOf('dev-a', 'b-idem', 5))
    const first = await send(jws, 'dev-a', classId, { 'idempotency-key': 'batch-idem' })
    const head = await h.store.lastPosition()
    const second = await send(jws, 'dev-a', classId, { 'idempotency-key': 'batch-idem' })
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('takes a worker who joined the roster after the class state was last read', async () => {
    const joiner = faceCheck(0, { worker: stranger })
    const sign = (batchId: string) =>
      keys['dev-a']!.sign({ ...batchOf('dev-a', batchId, 1), checks: [joiner] })
    expect(rules(await send(await sign('b-j1')))).toEqual(['worker-enrolled'])
    await seed(h.store, `class-${classId}`, [
      { type: 'RosterEntryAdded', data: { class: classId, worker: stranger } },
    ])
    expect((await send(await sign('b-j2'))).statusCode).toBe(201)
  })

  it('sees a revocation and a closing at once, though it keeps device and class state between batches', async () => {
    const ok = await send(await keys['dev-r']!.sign(batchOf('dev-r', 'b-r1', 2)), 'dev-r')
    expect(ok.statusCode).toBe(201)
    const staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    await post(h.app, '/v1/devices/dev-r/revocation', staff, { reason: 'compromised' })
    const refused = await send(await keys['dev-r']!.sign(batchOf('dev-r', 'b-r2', 2)), 'dev-r')
    expect(rules(refused)).toEqual(['signer-active'])

    const closingAt = new Date(Date.parse(sessions[0]!.start) + 60 * 60_000).toISOString()
    await seed(
      h.store,
      `class-${classId}`,
      [{ type: 'ClassClosed', data: { class: classId, reason: 'stopped_by_authority' } }],
      closingAt,
    )
    const late = faceCheck(0, {
      checkedAt: new Date(Date.parse(closingAt) + 60_000).toISOString(),
      purpose: 'spot',
    })
    const res = await send(await keys['dev-a']!.sign({ ...batchOf('dev-a', 'b-late', 1), checks: [late] }))
    expect(rules(res)).toEqual(['before-closing'])
  })
})
