import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applied, designated, deviceKey, hash, institution, opened, roster, seed } from './fixtures.ts'
import { type Harness, harness, post } from './harness.ts'

// A provider's online class hosted on a designated online platform (its online sessions' venue
// is the platform id), and a class the platform runs itself, with a device registered to it.
const platform = 'plat-hebei-zxpx'
const hosted = 'cls-2024-0401'
const own = 'cls-2024-0402'
const worker = roster[0]!

function segment(over: Record<string, unknown> = {}) {
  return {
    worker,
    class: hosted,
    lesson: 'les-0012',
    start: '2024-04-10T20:00:00+08:00',
    end: '2024-04-10T20:45:00+08:00',
    playbackRate: 1,
    clientFingerprint: hash,
    ...over,
  }
}

async function seedOnlineClass(h: Harness, id: string, owner: string): Promise<void> {
  const sessions = [
    {
      session: 'ses-o1',
      start: '2024-04-10T19:00:00+08:00',
      end: '2024-04-10T22:00:00+08:00',
      venue: platform,
      mode: 'online' as const,
    },
  ]
  await seed(h.store, `class-${id}`, [
    {
      type: 'ClassOpeningApplied',
      data: applied({ class: id, institution: owner, mode: 'online', sessions }),
    },
    { type: 'ClassOpened', data: opened({ class: id, institution: owner, sessions }) },
  ])
}

describe('online-segment route', () => {
  let h: Harness
  let platformStaff: string
  const record = (body: unknown, token = platformStaff, headers: Record<string, string> = {}) =>
    post(h.app, '/v1/online-segments', token, body, headers)
  const rules = (res: { json(): { reasons: { rule: string }[] } }) => res.json().reasons.map((r) => r.rule)

  beforeAll(async () => {
    h = await harness()
    await seed(h.store, `institution-${platform}`, [
      { type: 'InstitutionDesignated', data: designated(platform, ['online_platform']) },
    ])
    await seed(h.store, `institution-${institution}`, [
      { type: 'InstitutionDesignated', data: designated(institution, ['private_provider']) },
    ])
    await seedOnlineClass(h, hosted, institution)
    await seedOnlineClass(h, own, platform)
    platformStaff = await h.tokens.mint({ sub: 'staff-p1', role: 'institution_staff', institution: platform })
    const key = await deviceKey('dev-p')
    const res = await post(h.app, '/v1/devices', platformStaff, {
      device: 'dev-p',
      class: own,
      publicKey: key.publicJwk,
    })
    expect(res.statusCode).toBe(201)
  })
  afterAll(() => h.close())

  it("records the platform staff's segment, the platform being the caller's institution", async () => {
    const res = await record(segment())
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ ids: [expect.any(String)], revision: 0 })
    const [event] = (await h.store.readStream(`attendance-${worker}`)).map(decodeRecorded)
    expect(event).toMatchObject({
      type: 'OnlineLearningSegmentRecorded',
      data: { ...segment(), platform },
      occurredAt: '2024-04-10T20:45:00+08:00',
      actor: { kind: 'institution_staff', id: 'staff-p1', institution: platform },
      source: 'trec.attendance',
    })
  })

  it("records a device's segment for the class it is registered to", async () => {
    const device = await h.tokens.mint({ sub: 'dev-p', role: 'device', device: 'dev-p', class: own })
    const res = await record(segment({ class: own }), device)
    expect(res.statusCode).toBe(201)
  })

  it('refuses with 422 an overlap, a reversed segment and a playback rate outside the range', async () => {
    const overlap = await record(
      segment({ start: '2024-04-10T20:30:00+08:00', end: '2024-04-10T21:00:00+08:00' }),
    )
    expect(overlap.statusCode).toBe(422)
    expect(rules(overlap)).toEqual(['segment-no-overlap'])
    const reversed = await record(
      segment({ start: '2024-04-10T21:30:00+08:00', end: '2024-04-10T21:00:00+08:00' }),
    )
    expect(rules(reversed)).toEqual(['segment-order'])
    const fast = await record(
      segment({ start: '2024-04-10T21:00:00+08:00', end: '2024-04-10T21:10:00+08:00', playbackRate: 3 }),
    )
    expect(rules(fast)).toEqual(['playback-rate'])
  })

  it('refuses a provider that is not an online platform (422 platform-online)', async () => {
    const providerStaff = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
    const res = await record(
      segment({ start: '2024-04-10T21:00:00+08:00', end: '2024-04-10T21:10:00+08:00' }),
      providerStaff,
    )
    expect(res.statusCode).toBe(422)
    expect(rules(res)).toEqual(['platform-online'])
  })

  it('answers 401 without a token, 403 to another role, another institution and another class', async () => {
    expect((await record(segment(), '')).statusCode).toBe(401)
    const assessor = await h.tokens.mint({ sub: 'a-1', role: 'assessor', region: '13' })
    expect((await record(segment(), assessor)).statusCode).toBe(403)
    const stranger = await h.tokens.mint({
      sub: 'staff-9',
      role: 'institution_staff',
      institution: 'inst-other',
    })
    const res = await record(segment(), stranger)
    expect(res.statusCode).toBe(403)
    expect(res.json().reason).toBe('another institution')
    const device = await h.tokens.mint({ sub: 'dev-p', role: 'device', device: 'dev-p', class: own })
    expect((await record(segment({ class: hosted }), device)).statusCode).toBe(403)
  })

  it('refuses an invalid body with 400 naming each field, appending nothing', async () => {
    const head = await h.store.lastPosition()
    const res = await record({
      ...segment(),
      playbackRate: 'fast',
      worker: '130102199003071234',
      screen: 'x',
    })
    expect(res.statusCode).toBe(400)
    const paths = res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['body.playbackRate', 'body.worker']))
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('appends once for one Idempotency-Key and answers the retry the same', async () => {
    const body = segment({ start: '2024-04-10T21:00:00+08:00', end: '2024-04-10T21:20:00+08:00' })
    const first = await record(body, platformStaff, { 'idempotency-key': 'seg-1' })
    const second = await record(body, platformStaff, { 'idempotency-key': 'seg-1' })
    expect(first.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(await h.store.readStream(`attendance-${worker}`)).toHaveLength(3)
  })
})
