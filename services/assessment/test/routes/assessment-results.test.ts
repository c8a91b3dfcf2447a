import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classId, occupation, otherWorker, worker } from '../fixtures.ts'
import { errorPaths, failedRules, type Harness, harness, seedTrainedWorker, send } from './support.ts'

const result = {
  worker,
  class: classId,
  region: '130102',
  occupationCode: occupation,
  level: 4,
  score: 82.5,
  passed: true,
  evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
  assessedOn: '2024-05-20',
}

describe('POST /v1/assessment-results', () => {
  let h: Harness
  const assessor = (region = '13') => h.tokens.mint({ sub: 'assessor-3', role: 'assessor', region })
  const post = async (body: unknown, token?: string, headers?: Record<string, string>) =>
    send(h, 'POST', '/v1/assessment-results', token ?? (await assessor()), body, headers)

  beforeAll(async () => {
    h = await harness()
    await seedTrainedWorker(h.store)
  })
  afterAll(() => h.close())

  it('records the result, assigning an assessment id when the body has none', async () => {
    const res = await post(result)
    expect(res.statusCode).toBe(201)
    const { ids, revision, assessment } = res.json()
    const { region: _region, ...data } = result
    const [stored] = await h.store.readStream(`assessment-${worker}`)
    expect(decodeRecorded(stored!)).toMatchObject({
      id: ids[0],
      type: 'AssessmentResultRecorded',
      region: '130102',
      actor: { kind: 'assessor', id: 'assessor-3' },
      data: { ...data, assessment },
    })
    expect(revision).toBe(0)
  })

  it('refuses the same assessment id twice', async () => {
    const first = await post({ ...result, assessment: 'asm-2024-0520-18' })
    const again = await post({ ...result, assessment: 'asm-2024-0520-18', score: 90 })
    expect([first.statusCode, again.statusCode, failedRules(again)]).toEqual([201, 422, ['assessment.once']])
  })

  it('refuses a result tied to a class the worker is not enrolled in', async () => {
    const res = await post({ ...result, worker: otherWorker })
    expect([res.statusCode, failedRules(res)]).toEqual([422, ['assessment.class-enrolment']])
  })

  it('answers 400 naming each bad field, and appends nothing', async () => {
    const before = await h.store.lastPosition()
    const res = await post({
      ...result,
      occupationCode: '电工',
      level: 6,
      evaluator: { kind: 'friend', id: 'x' },
    })
    expect(res.statusCode).toBe(400)
    expect(errorPaths(res)).toEqual(
      expect.arrayContaining(['body.occupationCode', 'body.level', 'body.evaluator.kind']),
    )
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('answers 401 without a token, 403 for another role and 403 outside the assessor’s region', async () => {
    expect((await send(h, 'POST', '/v1/assessment-results', undefined, result)).statusCode).toBe(401)
    const staff = await h.tokens.mint({
      sub: 's',
      role: 'institution_staff',
      institution: 'inst-130100-0042',
    })
    expect((await post(result, staff)).json()).toMatchObject({ status: 403, reason: 'role' })
    expect((await post(result, await assessor('23'))).json()).toMatchObject({
      status: 403,
      reason: 'another region',
    })
  })

  it('appends once for the same command sent twice with one Idempotency-Key, and answers the same', async () => {
    const before = await h.store.streamRevision(`assessment-${worker}`)
    const token = await assessor()
    const first = await post({ ...result, level: 3 }, token, { 'idempotency-key': 'result-1' })
    const second = await post({ ...result, level: 3 }, token, { 'idempotency-key': 'result-1' })
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.json()).toEqual(first.json())
    expect(await h.store.streamRevision(`assessment-${worker}`)).toBe(before + 1)
  })
})
