// One command of each service sent twice with one Idempotency-Key: the events are appended
// once, and the retry is answered exactly as the first request was (status and body), across the
// composed app with its shared idempotency table.
import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Who } from './support/client.ts'
import {
  card,
  designate,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  region,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const institution = 'inst-130100-0042'

describe('Idempotency-Key across the composed app (embedded store)', () => {
  let sys: System
  let cls: OpenedClass

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    await designate(sys.http, institution, '52130100MJ0123456N')
    cls = await openClass(sys.http, institution, await publish(sys.http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
  }, 60_000)

  afterAll(async () => {
    await sys?.close()
  })

  /** Sends the command twice under one key; the second appends nothing and answers the same. */
  async function twice(
    url: string,
    who: Who,
    body: Record<string, unknown>,
    changed: Record<string, unknown>,
  ) {
    const key = `idem-${randomUUID()}`
    const start = await sys.store.lastPosition()
    const first = await sys.http.post(url, who, body, { 'idempotency-key': key })
    expect(first.status, first.text).toBe(201)
    const afterFirst = await sys.store.lastPosition()
    expect(afterFirst).toBeGreaterThan(start)
    const second = await sys.http.post(url, who, body, { 'idempotency-key': key })
    expect(second.status).toBe(first.status)
    expect(second.text).toBe(first.text)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(await sys.store.lastPosition()).toBe(afterFirst)
    // The same key for another (valid) request is refused, and appends nothing either.
    const other = await sys.http.post(url, who, { ...body, ...changed }, { 'idempotency-key': key })
    expect(other.status, other.text).toBe(422)
    expect(other.body.code).toBe('TREC_IDEMPOTENCY_KEY_REUSED')
    expect(await sys.store.lastPosition()).toBe(afterFirst)
    return first.body
  }

  it('training: an enrolment with its real-name check is recorded once', async () => {
    const answer = await twice(
      `/v1/classes/${cls.id}/enrolments`,
      people.staff(institution),
      {
        cardNumber: card(201),
        name: '王立军',
        phone: '13712345678',
        identity: {
          method: 'card_chip',
          platform: 'reader-0042-01',
          platformRef: 'RD-20210301-0001',
          result: 'passed',
          verifiedAt: '2021-03-01T08:50:00+08:00',
        },
      },
      { phone: '13700000000' },
    )
    const events = await sys.store.readStream(`training-${answer.worker}`)
    expect(events.map((e) => e.type)).toEqual(['IdentityVerified', 'WorkerEnrolled'])
    const roster = (await sys.store.readStream(`class-${cls.id}`)).filter(
      (e) => e.type === 'RosterEntryAdded',
    )
    expect(roster).toHaveLength(1)
  })

  it('attendance: a device registration is recorded once', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { extractable: true })
    await twice(
      '/v1/devices',
      people.staff(institution),
      {
        device: 'dev-fc-idem',
        class: cls.id,
        publicKey: await exportJWK(publicKey),
      },
      { device: 'dev-fc-idem-2' },
    )
    expect(await sys.store.readStream('device-dev-fc-idem')).toHaveLength(1)
  })

  it('assessment: an assessment result (its id assigned by the service) is recorded once', async () => {
    const worker = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    const answer = await twice(
      '/v1/assessment-results',
      people.assessor,
      {
        worker,
        region,
        occupationCode: occupations.electrician.code,
        level: 4,
        passed: true,
        evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
        assessedOn: '2021-03-01',
      },
      { score: 90 },
    )
    const events = await sys.store.readStream(`assessment-${worker}`)
    expect(events.map((e) => e.data.assessment)).toEqual([answer.assessment])
  })

  it('subsidy: a contribution-history attestation is recorded once', async () => {
    const worker = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
    await twice(
      `/v1/workers/${worker}/contribution-history`,
      people.officer,
      {
        region,
        months: 14,
        asOf: '2021-03-01',
        enterpriseEmployee: true,
        source: { system: 'hebei-jinbao', ref: 'SI-Q-IDEM' },
      },
      { months: 15 },
    )
    expect(await sys.store.readStream(`subsidy-${worker}`)).toHaveLength(1)
  })
})
