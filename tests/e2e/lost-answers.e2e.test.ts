// A command whose events were committed but whose answer was lost (the process died, or the
// database went away, between the append and the recording of the response) is retried by its
// client with the same Idempotency-Key. The retry must get the answer the first attempt would
// have given (same status, same event ids) and append nothing. Over real HTTP on PostgreSQL, one
// subsidised training from enrolment to payment, each step through this: sent once, its recorded
// answer erased and its key left "in progress" since long ago (as a crash leaves it), the clock
// moved on a minute, then sent again.
import { randomUUID } from 'node:crypto'
import { postgresForTests } from '@trec/eventstore/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Who } from './support/client.ts'
import type { Json } from './support/http.ts'
import {
  accepted,
  attestContributions,
  card,
  designate,
  faceCheck,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  region,
  registerDevice,
  trainingClaim,
  uploadChecks,
} from './support/record.ts'
import { type PostgresSystem, postgresSystem } from './support/system.ts'

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server
    ? `retries after a lost answer (skipped: ${server.skip})`
    : 'a retry after the answer was lost answers as the first attempt, appending nothing'

const institution = 'inst-130100-0077'

suite(title, () => {
  let sys: PostgresSystem
  let cls: OpenedClass

  beforeAll(async () => {
    sys = await postgresSystem('skip' in server ? '' : server.url, new Date('2021-03-01T09:00:00+08:00'))
    await designate(sys.http, institution, '52130100MJ0123456N')
    cls = await openClass(sys.http, institution, await publish(sys.http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
  }, 120_000)

  afterAll(async () => {
    await sys?.close()
  })

  /** What a crash after the commit leaves: the key claimed long ago, no answer recorded. */
  async function loseAnswer(key: string) {
    const { rowCount } = await sys.pool.query(
      `update trec_http.idempotency set status = null, content_type = null, body = null,
         created_at = now() - interval '1 hour' where key = $1`,
      [key],
    )
    expect(rowCount).toBe(1)
  }

  /** Sends the command, loses its answer, moves the clock on and retries; answers the first body. */
  async function retried(url: string, who: Who, body: unknown): Promise<Json> {
    const key = `lost-${randomUUID()}`
    const first = await sys.http.post(url, who, body, { 'idempotency-key': key })
    expect(first.status, first.text).toBe(201)
    const head = await sys.store.lastPosition()
    await loseAnswer(key)
    sys.clock.now = new Date(sys.clock.now.getTime() + 60_000)
    const retry = await sys.http.post(url, who, body, { 'idempotency-key': key })
    expect(retry.status, retry.text).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBeUndefined()
    expect(retry.body).toEqual(first.body)
    expect(await sys.store.lastPosition()).toBe(head)
    // The retry's answer is now the recorded one: a third send replays it.
    const third = await sys.http.post(url, who, body, { 'idempotency-key': key })
    expect(third.headers['idempotent-replayed']).toBe('true')
    expect(third.body).toEqual(first.body)
    return first.body
  }

  it('carries one training from enrolment to payment through lost answers', async () => {
    const { http } = sys
    const staff = people.staff(institution)
    // Enrolment: two streams (the worker's record and the class roster) in one append.
    const { worker } = (await retried(`/v1/classes/${cls.id}/enrolments`, staff, {
      cardNumber: card(301),
      name: '李春华',
      phone: '13812345678',
      identity: {
        method: 'ssc_platform',
        platform: 'ssc-national',
        platformRef: 'SSCP-LOST-0301',
        result: 'passed',
        verifiedAt: '2021-03-01T08:40:00+08:00',
      },
    })) as { worker: string }
    expect(await sys.store.readStream(`training-${worker}`)).toHaveLength(2)

    sys.clock.now = new Date('2021-04-18T09:00:00+08:00')
    const device = await registerDevice(http, cls, `dev-fc-lost-${randomUUID().slice(0, 6)}`)
    for (const s of cls.sessions) await uploadChecks(http, device, `b-${s.session}`, [faceCheck(worker, s)])

    // Completion: one per worker and class (a decided-again retry is refused, completion.once).
    await retried('/v1/completions', staff, { worker, class: cls.id })

    // Assessment result and certificate (the certificate and its serial's registry: two streams).
    sys.clock.now = new Date('2021-04-20T10:00:00+08:00')
    const evaluator = { kind: 'social_evaluation_org', id: 'eval-130000-0009' }
    const assessment = (await retried('/v1/assessment-results', people.assessor, {
      worker,
      class: cls.id,
      region,
      occupationCode: occupations.electrician.code,
      level: occupations.electrician.level,
      score: 88,
      passed: true,
      evaluator,
      assessedOn: '2021-04-19',
    })) as { assessment: string }
    expect(assessment.assessment).toBeDefined()
    const { certificate } = (await retried('/v1/certificates', people.assessor, {
      worker,
      kind: 'skill_level',
      issuer: evaluator,
      serial: `S01300000921${String(Date.now()).slice(-5)}`,
      region,
      occupationCode: occupations.electrician.code,
      level: occupations.electrician.level,
      issuedOn: '2021-04-20',
    })) as { certificate: string }
    expect(certificate).toBeDefined()

    // The claim, its review and decision, and the payment (the 不进不补 gate).
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    await attestContributions(http, worker)
    const { claim } = (await retried('/v1/claims', staff, trainingClaim(cls, worker))) as { claim: string }
    await retried(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' })
    await retried(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' })
    const paid = (await retried(`/v1/claims/${claim}/payment`, people.finance, {
      paymentRef: 'FIN-2021-06-15-LOST',
      fundSource: 'employment_subsidy_fund',
    })) as { ids: string[]; amount: number }
    const payments = (await sys.store.readStream(`subsidy-${worker}`)).filter((e) => e.type === 'SubsidyPaid')
    expect(payments.map((e) => e.id)).toEqual([paid.ids[0]])
    expect(accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)).toMatchObject({
      amounts: { paid: paid.amount },
    })
  })

  it('still refuses another request under a key whose first request may have taken effect', async () => {
    const key = `lost-${randomUUID()}`
    const body = { worker: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', class: cls.id }
    const first = await sys.http.post('/v1/completions', people.staff(institution), body, {
      'idempotency-key': key,
    })
    await loseAnswer(key)
    const other = await sys.http.post(
      '/v1/completions',
      people.staff(institution),
      { ...body, worker: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
      { 'idempotency-key': key },
    )
    expect(other.status, `${first.status} then ${other.text}`).toBe(422)
    expect(other.body.code).toBe('TREC_IDEMPOTENCY_KEY_REUSED')
  })
})
