import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classId, institution, otherWorker, worker } from '../fixtures.ts'
import { errorPaths, failedRules, type Harness, harness, seedTrainedWorker, send } from './support.ts'

describe('POST /v1/completions', () => {
  let h: Harness
  let checks: string[]
  const staff = (inst = institution) =>
    h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution: inst })
  const complete = async (body: unknown, token?: string, headers?: Record<string, string>) =>
    send(h, 'POST', '/v1/completions', token ?? (await staff()), body, headers)

  beforeAll(async () => {
    h = await harness({ minimumAttendanceShare: { '13': 0.85 } })
    checks = await seedTrainedWorker(h.store)
    await seedTrainedWorker(h.store, otherWorker, 'cls-2024-0316')
  })
  afterAll(() => h.close())

  it('computes the share from the record, judges it by the region’s minimum, and cites the face checks', async () => {
    const res = await complete({ worker, class: classId })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ revision: 0 })
    const [stored] = await h.store.readStream(`assessment-${worker}`)
    const event = decodeRecorded(stored!)
    expect(event).toMatchObject({
      type: 'TrainingCompleted',
      region: '130102',
      source: 'trec.assessment',
      actor: { kind: 'institution_staff', id: 'staff-7', institution },
      occurredAt: '2024-06-10T01:00:00.000Z',
      data: {
        attendedHours: 12,
        requiredHours: 14,
        attendanceShare: 0.8571,
        minimumAttendanceShare: 0.85,
        passed: true,
        evidence: checks,
      },
    })
    expect(res.json().ids).toEqual([event.id])
  })

  it('refuses a second completion of the same class with 422 naming the rule', async () => {
    const res = await complete({ worker, class: classId })
    expect([res.statusCode, res.json().code, failedRules(res)]).toEqual([
      422,
      'TREC_RULE_FAILED',
      ['completion.once'],
    ])
  })

  it('refuses a worker who is not enrolled in the class', async () => {
    const res = await complete({ worker: otherWorker, class: classId })
    expect([res.statusCode, failedRules(res)]).toEqual([
      422,
      ['completion.enrolled', 'completion.identity-verified'],
    ])
  })

  it('answers 404 for a class not on the record', async () => {
    const res = await complete({ worker, class: 'cls-nowhere' })
    expect([res.statusCode, res.json().code]).toEqual([404, 'TREC_NOT_FOUND'])
  })

  it('refuses hours or shares sent by the client: the body names only worker and class', async () => {
    const before = await h.store.lastPosition()
    const res = await complete({
      worker: otherWorker,
      class: 'cls-2024-0316',
      attendanceShare: 1,
      passed: true,
    })
    expect([res.statusCode, res.headers['content-type']]).toEqual([
      400,
      expect.stringMatching(/^application\/problem\+json/),
    ])
    expect(res.json().errors).toEqual([
      {
        path: ['body', 'attendanceShare'],
        code: 'unrecognized_keys',
        message: 'unknown field "attendanceShare"',
      },
      { path: ['body', 'passed'], code: 'unrecognized_keys', message: 'unknown field "passed"' },
    ])
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('answers 400 naming each bad field, and appends nothing', async () => {
    const before = await h.store.lastPosition()
    const res = await complete({ worker: '130102199003071234', class: '' })
    expect(res.statusCode).toBe(400)
    expect(errorPaths(res)).toEqual(expect.arrayContaining(['body.worker', 'body.class']))
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('answers 401 without a token and 403 for another role', async () => {
    const body = { worker: otherWorker, class: 'cls-2024-0316' }
    expect((await send(h, 'POST', '/v1/completions', undefined, body)).statusCode).toBe(401)
    const assessor = await h.tokens.mint({ sub: 'a-1', role: 'assessor', region: '13' })
    const res = await complete(body, assessor)
    expect([res.statusCode, res.json().reason]).toEqual([403, 'role'])
  })

  it('answers 403 to staff of another institution', async () => {
    const res = await complete({ worker: otherWorker, class: 'cls-2024-0316' }, await staff('inst-other'))
    expect([res.statusCode, res.json().reason]).toEqual([403, 'another institution'])
  })

  it('appends once for the same command sent twice with one Idempotency-Key, and answers the same', async () => {
    const body = { worker: otherWorker, class: 'cls-2024-0316' }
    const token = await staff()
    const first = await complete(body, token, { 'idempotency-key': 'complete-0316-1' })
    const second = await complete(body, token, { 'idempotency-key': 'complete-0316-1' })
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.json()).toEqual(first.json())
    expect(await h.store.readStream(`assessment-${otherWorker}`)).toHaveLength(1)
  })
})

describe('POST /v1/completions under another policy', () => {
  it('waits for the class to close when configured so, and uses a minimum of 90% where set', async () => {
    const h = await harness({ completionAfter: 'class_closed', minimumAttendanceShare: 0.9 })
    try {
      await seedTrainedWorker(h.store)
      const token = await h.tokens.mint({ sub: 'staff-7', role: 'institution_staff', institution })
      const res = await send(h, 'POST', '/v1/completions', token, { worker, class: classId })
      expect(res.statusCode).toBe(201)
      const [stored] = await h.store.readStream(`assessment-${worker}`)
      expect(decodeRecorded(stored!).data).toMatchObject({ minimumAttendanceShare: 0.9, passed: false })
    } finally {
      await h.close()
    }
  })
})
