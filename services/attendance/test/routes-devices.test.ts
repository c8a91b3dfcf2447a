import { randomBytes } from 'node:crypto'
import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classId, deviceKey, institution, region, seed, seedClass } from './fixtures.ts'
import { type Harness, harness, post } from './harness.ts'

describe('device registry routes', () => {
  let h: Harness
  let staff: string
  const register = (body: unknown, token = staff, headers: Record<string, string> = {}) =>
    post(h.app, '/v1/devices', token, body, headers)
  const revoke = (device: string, body: unknown, token = staff) =>
    post(h.app, `/v1/devices/${device}/revocation`, token, body)

  beforeAll(async () => {
    h = await harness()
    await seedClass(h.store)
    staff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
  })
  afterAll(() => h.close())

  it('documents every route in the OpenAPI document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining([
        '/v1/devices',
        '/v1/devices/{device}/revocation',
        '/v1/face-check-batches',
        '/v1/online-segments',
      ]),
    )
  })

  it('registers an Ed25519 device to a class of the caller’s institution, keeping only the public key', async () => {
    const key = await deviceKey('dev-a')
    const res = await register({
      device: 'dev-a',
      class: classId,
      publicKey: { ...key.publicJwk, alg: 'EdDSA' },
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ ids: [expect.any(String)], revision: 0 })
    const [event] = (await h.store.readStream('device-dev-a')).map(decodeRecorded)
    expect(event).toMatchObject({
      type: 'DeviceRegistered',
      data: {
        device: 'dev-a',
        class: classId,
        institution,
        algorithm: 'EdDSA',
        publicKey: { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x },
        keyThumbprint: key.thumbprint,
      },
      actor: { kind: 'institution_staff', id: 'staff-7', institution },
      source: 'trec.attendance',
      region,
    })
  })

  it('registers an ES256 (P-256) device', async () => {
    const key = await deviceKey('dev-b', 'ES256')
    const res = await register({ device: 'dev-b', class: classId, publicKey: key.publicJwk })
    expect(res.statusCode).toBe(201)
    expect(decodeRecorded((await h.store.readStream('device-dev-b'))[0]!).data).toMatchObject({
      algorithm: 'ES256',
    })
  })

  it('refuses a device id that is taken (422 device-id-unused)', async () => {
    const key = await deviceKey('dev-a')
    const res = await register({ device: 'dev-a', class: classId, publicKey: key.publicJwk })
    expect(res.statusCode).toBe(422)
    expect(res.json().reasons.map((r: { rule: string }) => r.rule)).toEqual(['device-id-unused'])
  })

  it('refuses a class the training record does not know (422 class-exists)', async () => {
    const key = await deviceKey('dev-c')
    const res = await register({ device: 'dev-c', class: 'cls-none', publicKey: key.publicJwk })
    expect(res.statusCode).toBe(422)
    expect(res.json().reasons[0].rule).toBe('class-exists')
  })

  it('refuses private keys, other key types, points off the curve and a foreign kid with 400, appending nothing', async () => {
    const key = await deviceKey('dev-d')
    const x = () => randomBytes(32).toString('base64url')
    const cases: [unknown, string][] = [
      // An unknown field is reported at its own path, and named in the message too.
      [{ ...key.publicJwk, d: x() }, 'body.publicKey.d'],
      [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, 'body.publicKey.kty'],
      [{ kty: 'EC', crv: 'P-384', x: x(), y: x() }, 'body.publicKey.crv'],
      [{ kty: 'EC', crv: 'P-256', x: x(), y: x() }, 'body.publicKey'],
      [{ ...key.publicJwk, kid: 'dev-other' }, 'body.publicKey.kid'],
      [{ ...key.publicJwk, alg: 'ES256' }, 'body.publicKey.alg'],
    ]
    const head = await h.store.lastPosition()
    for (const [publicKey, path] of cases) {
      const res = await register({ device: 'dev-d', class: classId, publicKey })
      expect(res.statusCode, path).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
      const errors: { path: unknown[]; message: string }[] = res.json().errors
      expect(errors.map((e) => e.path.join('.'))).toContain(path)
      if ('d' in (publicKey as object)) expect(errors[0]?.message).toContain('"d"')
    }
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('answers 401 without a token, 403 to another role and to staff of another institution', async () => {
    const key = await deviceKey('dev-e')
    const body = { device: 'dev-e', class: classId, publicKey: key.publicJwk }
    expect((await register(body, '')).statusCode).toBe(401)
    const device = await h.tokens.mint({ sub: 'dev-a', role: 'device', class: classId, device: 'dev-a' })
    expect((await register(body, device)).statusCode).toBe(403)
    const other = await h.tokens.mint({
      sub: 'staff-9',
      role: 'institution_staff',
      institution: 'inst-other',
    })
    const res = await register(body, other)
    expect(res.statusCode).toBe(403)
    expect(res.json().reason).toBe('another institution')
  })

  it('appends once for one Idempotency-Key and answers the retry the same', async () => {
    const key = await deviceKey('dev-f')
    const body = { device: 'dev-f', class: classId, publicKey: key.publicJwk }
    const first = await register(body, staff, { 'idempotency-key': 'reg-dev-f' })
    const second = await register(body, staff, { 'idempotency-key': 'reg-dev-f' })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(await h.store.readStream('device-dev-f')).toHaveLength(1)
  })

  it('revokes a device, then refuses to revoke it again (422 device-not-revoked)', async () => {
    const res = await revoke('dev-b', { reason: 'lost', note: '实训楼遗失' })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ ids: [expect.any(String)], revision: 1 })
    const again = await revoke('dev-b', { reason: 'lost' })
    expect(again.statusCode).toBe(422)
    expect(again.json().reasons[0].rule).toBe('device-not-revoked')
  })

  it('refuses to revoke a device that is not registered (422 device-registered)', async () => {
    const res = await revoke('dev-none', { reason: 'lost' })
    expect(res.statusCode).toBe(422)
    expect(res.json().reasons[0].rule).toBe('device-registered')
  })

  it('guards revocation: 401, 403 for another role or institution, 400 for an unknown reason', async () => {
    expect((await revoke('dev-a', { reason: 'lost' }, '')).statusCode).toBe(401)
    const officer = await h.tokens.mint({ sub: 'o-1', role: 'subsidy_officer', region: '13' })
    expect((await revoke('dev-a', { reason: 'lost' }, officer)).statusCode).toBe(403)
    const other = await h.tokens.mint({
      sub: 'staff-9',
      role: 'institution_staff',
      institution: 'inst-other',
    })
    expect((await revoke('dev-a', { reason: 'lost' }, other)).statusCode).toBe(403)
    const head = await h.store.lastPosition()
    const bad = await revoke('dev-a', { reason: 'stolen-ish', extra: 1 })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))).toEqual(
      expect.arrayContaining(['body.reason']),
    )
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('refuses to register a device to a class that has closed (422 class-not-closed)', async () => {
    await seedClass(h.store, { class: 'cls-closed' })
    await seed(h.store, 'class-cls-closed', [
      { type: 'ClassClosed', data: { class: 'cls-closed', reason: 'cancelled' } },
    ])
    const key = await deviceKey('dev-g')
    const res = await register({ device: 'dev-g', class: 'cls-closed', publicKey: key.publicJwk })
    expect(res.statusCode).toBe(422)
    expect(res.json().reasons[0].rule).toBe('class-not-closed')
  })
})
