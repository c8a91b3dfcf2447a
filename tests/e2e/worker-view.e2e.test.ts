// A worker's own view (issue 24), on the composed app with its read side running: the worker signs
// in with a signed real-name attestation (POST /v1/worker-sessions) and gets a short-lived token
// bound to their pseudonym; a replayed, untrusted or expired attestation is refused 422 naming
// `body.attestation`, writing nothing, and a token of the staff issuer claiming the role is
// refused 401. With the token the worker reads their archive (logged as their own read), who read
// it, when and why, and objects to an entry (idempotent by content); the objection lands in the
// queue of the officers of its region (paged, region-bound, each worker's read logged) and is
// answered there; the worker reads the answer. The token reaches nothing else.
import { createAttestationIssuer } from '@trec/training'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import { type ClaimedRecord, claimedRecord } from './support/claimed.ts'
import type { Who } from './support/client.ts'
import type { Answer } from './support/http.ts'
import { accepted, people } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

describe("a worker's own view: sign-in by attestation, archive, who read it, objections answered by an officer", () => {
  let sys: System
  let rec: ClaimedRecord
  let token: string
  let objection: string

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    rec = await claimedRecord(sys)
    // An investigator reads the claim without a case: a read the worker will see.
    accepted(await sys.http.get(`/v1/claims/${rec.claim}`, people.investigator), 200)
    await caughtUp(sys)
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
  })

  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` })
  const get = (url: string, bearer = token) => sys.http.send('GET', url, as(bearer))
  const post = (url: string, body: unknown, bearer = token) => sys.http.send('POST', url, as(bearer), body)
  const signIn = (attestation: string) => sys.http.post('/v1/worker-sessions', undefined, { attestation })
  const nothingWritten = async (act: () => Promise<Answer>) => {
    const before = await sys.store.lastPosition()
    const res = await act()
    expect(await sys.store.lastPosition()).toBe(before)
    return res
  }
  const attestationRefused = (res: Answer, rule: string) => {
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ path: ['body', 'attestation'], code: rule }),
    )
  }

  it('exchanges a signed real-name attestation for a short-lived worker token, once', async () => {
    const attestation = await sys.identity.attest({
      subject: rec.worker,
      method: 'e_card',
      checkedAt: sys.clock.now,
    })
    const session = accepted(await signIn(attestation))
    expect(session).toMatchObject({ tokenType: 'Bearer', worker: rec.worker, expiresIn: 900 })
    token = session.token
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
    expect(claims).toMatchObject({ sub: rec.worker, role: 'worker', iss: sys.workerTokens.issuer })
    expect(claims.exp - claims.iat).toBe(900)
    const opened = await sys.store.readStream(`session-${session.session}`)
    expect(opened.map((e) => e.type)).toEqual(['WorkerSessionOpened'])
    expect(JSON.stringify(opened.map((e) => [e.data, e.metadata]))).not.toContain(attestation)

    attestationRefused(await nothingWritten(() => signIn(attestation)), 'attestation-spent')
    // A token is not an answer to replay: a sign-in refuses an Idempotency-Key, naming the header.
    const fresh = await sys.identity.attest({
      subject: rec.worker,
      method: 'e_card',
      checkedAt: sys.clock.now,
    })
    const keyed = await nothingWritten(() =>
      sys.http.post('/v1/worker-sessions', undefined, { attestation: fresh }, { 'idempotency-key': 'k-1' }),
    )
    expect(keyed.status).toBe(400)
    expect(keyed.body.errors[0].path).toEqual(['headers', 'idempotency-key'])
  })

  it('refuses an attestation of an untrusted source, an expired one, a worker token of the staff issuer, and another role from the session key', async () => {
    const stranger = await createAttestationIssuer('idp.elsewhere.test')
    attestationRefused(
      await nothingWritten(async () =>
        signIn(await stranger.attest({ subject: rec.worker, method: 'e_card', checkedAt: sys.clock.now })),
      ),
      'attestation-issuer',
    )
    const old = new Date(sys.clock.now.getTime() - 3_600_000)
    attestationRefused(
      await nothingWritten(async () =>
        signIn(
          await sys.identity.attest({ subject: rec.worker, method: 'face', checkedAt: old, ttlSeconds: 60 }),
        ),
      ),
      'attestation-expired',
    )
    const staffMinted = await sys.tokens.mint({ sub: rec.worker, role: 'worker' }, 600)
    const res = await get('/v1/me/archive', staffMinted)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toContain('worker')
    // And the worker-session key signs the role worker only.
    const sessionAuditor = await sys.workerTokens.mint({ sub: 'auditor-1', role: 'auditor' }, 600)
    expect((await get('/v1/audit/checkpoints', sessionAuditor)).status).toBe(401)
  })

  it('reads the worker’s own archive, logged as the worker’s own read', async () => {
    const read = accepted(await get('/v1/me/archive'), 200)
    expect(read.worker).toBe(rec.worker)
    expect(read.archive.found).toBe(true)
    expect(read.archive.trainings.map((t: { class: string }) => t.class)).toEqual([rec.cls.id])
    const access = (await sys.store.readStream(`access-${rec.worker}`)).find(
      (e) => e.id === read.access.event,
    )!
    expect(access.data).toMatchObject({ view: 'archive', purpose: 'own_record', found: true, flags: [] })
    expect(access.metadata).toMatchObject({ actor: { kind: 'worker', id: rec.worker } })
  })

  it('shows who read the record, when and why (PIPL art. 45), the worker’s own reads among them', async () => {
    const log = accepted(await get('/v1/me/access-log'), 200)
    expect(log.worker).toBe(rec.worker)
    const who = log.items.map((e: { actor: { kind: string }; purpose: string; view: string }) => [
      e.actor.kind,
      e.view,
      e.purpose,
    ])
    expect(who).toContainEqual(['investigator', 'claim', 'supervision_inspection'])
    expect(who).toContainEqual(['worker', 'archive', 'own_record'])
    // This read itself is in the log from the next page on.
    const first = accepted(await get(`/v1/me/access-log?limit=${log.items.length}`), 200)
    expect(first.nextCursor).toEqual(expect.any(String))
    const again = accepted(await get(`/v1/me/access-log?cursor=${encodeURIComponent(first.nextCursor)}`), 200)
    expect(again.items[0]).toMatchObject({
      view: 'access_log',
      purpose: 'own_record',
      actor: { kind: 'worker' },
    })
  })

  it('files an objection to an entry of the archive, idempotently, and refuses one to an entry not in it', async () => {
    const body = { entry: { kind: 'training', id: rec.cls.id }, reason: '第一次课我没有到场，签到不是我本人' }
    const filed = accepted(await post('/v1/me/objections', body))
    objection = filed.objection
    expect(objection).toMatch(/^obj-/)
    const again = await nothingWritten(() => post('/v1/me/objections', body))
    expect(again.status).toBe(201)
    expect(again.body).toEqual(filed)
    const events = await sys.store.readStream(`objection-${objection}`)
    expect(events.map((e) => [e.type, e.data.region, e.data.worker])).toEqual([
      ['ObjectionFiled', '130102', rec.worker],
    ])

    const stranger = await nothingWritten(() =>
      post('/v1/me/objections', { entry: { kind: 'training', id: 'cls-not-mine' }, reason: '不是我的班' }),
    )
    expect(stranger.status).toBe(422)
    expect(stranger.body.errors).toContainEqual(expect.objectContaining({ path: ['body', 'entry', 'id'] }))
    const blank = await nothingWritten(() => post('/v1/me/objections', { entry: body.entry, reason: '' }))
    expect(blank.status).toBe(400)
    expect(JSON.stringify(blank.body.errors)).toContain('reason')
  })

  it('puts objections in the queue of the officers of their region, paged, and logs each worker read', async () => {
    const certificate = accepted(await get('/v1/me/archive'), 200).archive.certificates[0].certificate
    accepted(
      await post('/v1/me/objections', {
        entry: { kind: 'certificate', id: certificate },
        reason: '证书等级有误',
      }),
    )
    const queue = (who: Who, query = '') => sys.http.get(`/v1/objections?status=open${query}`, who)
    await vi.waitFor(async () => expect(accepted(await queue(people.officer), 200).items).toHaveLength(2), {
      timeout: 30_000,
      interval: 200,
    })
    const first = accepted(await queue(people.officer, '&limit=1'), 200)
    expect(first.items.map((o: { objection: string }) => o.objection)).toEqual([objection])
    expect(first.items[0]).toMatchObject({
      worker: rec.worker,
      entry: { kind: 'training', id: rec.cls.id },
      status: 'open',
    })
    const second = accepted(await queue(people.officer, `&limit=1&cursor=${first.nextCursor}`), 200)
    expect(second.items[0].entry).toEqual({ kind: 'certificate', id: certificate })
    expect(second.nextCursor).toBeUndefined()
    // Another province's officer sees none of it; another list's cursor and a limit over 200 are refused.
    const elsewhere = { sub: 'officer-44', role: 'subsidy_officer', region: '44' } as const
    expect(accepted(await queue(elsewhere), 200).items).toEqual([])
    expect((await queue(people.officer, '&limit=201')).status).toBe(400)
    const mine = accepted(await get('/v1/me/objections?limit=1'), 200)
    expect((await queue(people.officer, `&cursor=${mine.nextCursor}`)).status).toBe(400)
    const log = (await sys.store.readStream(`access-${rec.worker}`)).map((e) => e.data)
    expect(log).toContainEqual(expect.objectContaining({ view: 'objections', purpose: 'administration' }))
  })

  it('is answered on the record by an officer of the region, once, and the worker reads the answer', async () => {
    const answer = { decision: 'accepted', reason: '经核查，首次课签到系机构代签，已转稽核处理' }
    const elsewhere = { sub: 'officer-44', role: 'subsidy_officer', region: '44' } as const
    const outside = await nothingWritten(() =>
      sys.http.post(`/v1/objections/${objection}/answer`, elsewhere, answer),
    )
    expect(outside.status).toBe(403)
    expect((await sys.http.post('/v1/objections/obj-none/answer', people.officer, answer)).status).toBe(404)
    accepted(await sys.http.post(`/v1/objections/${objection}/answer`, people.officer, answer))
    const twice = await nothingWritten(() =>
      sys.http.post(`/v1/objections/${objection}/answer`, people.officer, {
        ...answer,
        decision: 'rejected',
      }),
    )
    expect(twice.status).toBe(422)
    await vi.waitFor(
      async () => {
        const mine = accepted(await get('/v1/me/objections'), 200).items
        expect(mine.find((o: { objection: string }) => o.objection === objection)).toMatchObject({
          status: 'answered',
          decision: 'accepted',
          answer: answer.reason,
          answeredBy: `subsidy_officer:${people.officer.sub}`,
        })
      },
      { timeout: 30_000, interval: 200 },
    )
  })

  it('reaches nothing else with a worker token', async () => {
    for (const [method, url, body] of [
      ['GET', `/v1/claims/${rec.claim}`],
      ['GET', '/v1/objections'],
      ['GET', `/v1/archive/access-log?worker=${rec.worker}`],
      ['POST', '/v1/archive/lookup', { cardNumber: '11010519491231002X', purpose: 'card_holder_request' }],
      ['POST', `/v1/objections/${objection}/answer`, { decision: 'rejected', reason: '自己答复自己' }],
    ] as const) {
      const res = await nothingWritten(() => sys.http.send(method, url, as(token), body))
      expect(res.status, `${method} ${url}`).toBe(403)
    }
  })
})
