// One subsidised training through the whole write side, over real HTTP against PostgreSQL: an
// institution designated, a programme published, a class applied for, reviewed and opened,
// workers enrolled after a real-name check, a face-check device registered with its key,
// device-signed batches of checks for the sessions, completions computed from the record,
// assessment and certificates, contribution history, then claims reviewed, approved and paid
// through the 不进不补 gate. Then each way a claim or a batch must be refused: 422, the rule
// named, nothing appended.
import { randomUUID } from 'node:crypto'
import { postgresForTests } from '@trec/eventstore/testing'
import { KeyRing, SqlKeyStore } from '@trec/privacy'
import { generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Answer } from './support/http.ts'
import {
  accepted,
  attestContributions,
  batchOf,
  card,
  certify,
  complete,
  type Device,
  designate,
  enrol,
  faceCheck,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  registerCardAccount,
  registerDevice,
  signBatch,
  skillUpgradeClaim,
  trainingClaim,
  uploadChecks,
} from './support/record.ts'
import { type PostgresSystem, postgresSystem } from './support/system.ts'

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server
    ? `a subsidised training over HTTP (skipped: ${server.skip})`
    : 'a subsidised training over HTTP on PostgreSQL'

const at = (iso: string) => new Date(iso)
const instA = 'inst-130100-0042'
const instB = 'inst-130100-0077'

suite(title, () => {
  let sys: PostgresSystem
  // Classes, devices and workers of the record the tests claim against.
  const classes: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'cb', OpenedClass> = {} as never
  const devices: Record<string, Device> = {}
  const w: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'g' | 'h' | 'k', string> = {} as never
  const certificates: Record<'b' | 'c', string> = {} as never

  beforeAll(async () => {
    const url = 'skip' in server ? '' : server.url
    // 2021-03-01, Beijing: designation, catalogue, 开班 and enrolment, weeks before the sessions.
    sys = await postgresSystem(url, at('2021-03-01T09:00:00+08:00'))
    const { http } = sys
    await designate(http, instA, '52130100MJ0123456N')
    await designate(http, instB, '52130100MJ0123456N')
    const electrician = await publish(http, occupations.electrician)
    const welder = await publish(http, occupations.welder)
    const cook = await publish(http, occupations.cook)
    const nursery = await publish(http, occupations.nursery)
    classes.c1 = await openClass(http, instA, electrician, ['2021-04-06', '2021-04-07'])
    classes.c2 = await openClass(http, instA, electrician, ['2021-04-08', '2021-04-09'])
    classes.c3 = await openClass(http, instA, welder, ['2021-04-12', '2021-04-13'])
    classes.c4 = await openClass(http, instA, cook, ['2021-04-14', '2021-04-15'])
    classes.c5 = await openClass(http, instA, nursery, ['2021-04-16', '2021-04-17'])
    classes.cb = await openClass(http, instB, electrician, ['2021-04-06', '2021-04-07'])
    const checkedAt = '2021-03-01T08:40:00+08:00'
    const cards = { a: 101, b: 102, c: 103, d: 104, e: 105, g: 107, h: 108, k: 111 } as const
    for (const name of ['a', 'b', 'd', 'e', 'g', 'h'] as const)
      w[name] = await enrol(http, classes.c1, card(cards[name]), checkedAt)
    expect(await enrol(http, classes.c2, card(cards.g), checkedAt)).toBe(w.g)
    for (const cls of [classes.c3, classes.c4, classes.c5])
      expect(await enrol(http, cls, card(cards.h), checkedAt)).toBe(w.h)
    w.k = await enrol(http, classes.cb, card(cards.k), checkedAt)
    for (const [name, cls] of Object.entries(classes))
      devices[name] = await registerDevice(http, cls, `dev-fc-${name}-${randomUUID().slice(0, 6)}`)

    // 2021-04-18: every session has been held; each device uploads its signed checks per session.
    sys.clock.now = at('2021-04-18T09:00:00+08:00')
    const rosters: Record<keyof typeof classes, string[]> = {
      c1: [w.a, w.b, w.d, w.e, w.g, w.h],
      c2: [w.g],
      c3: [w.h],
      c4: [w.h],
      c5: [w.h],
      cb: [w.k],
    }
    for (const [name, cls] of Object.entries(classes) as [keyof typeof classes, OpenedClass][])
      for (const [i, s] of cls.sessions.entries()) {
        // Worker d signs in to the first session only: half the hours, below the 80% minimum.
        const present = rosters[name].filter((worker) => !(worker === w.d && i > 0))
        const checks = present.map((worker) => faceCheck(worker, s))
        const ids = await uploadChecks(http, devices[name]!, `b-${s.session}`, checks)
        expect(ids).toHaveLength(present.length)
        if (name === 'c1' && i === 0) firstBatch = { checks, ids }
      }
    // 结业, computed from the record; worker e's completion is never recorded.
    for (const worker of [w.a, w.b, w.d, w.g, w.h]) await complete(http, classes.c1, worker)
    await complete(http, classes.c2, w.g)
    for (const cls of [classes.c3, classes.c4, classes.c5]) await complete(http, cls, w.h)
    await complete(http, classes.cb, w.k)

    // 2021-04-20: 职业技能等级认定 and certificates; worker c was never trained or verified here.
    sys.clock.now = at('2021-04-20T10:00:00+08:00')
    w.c = '0b7e4d1a9c2f5e8b3a6d0c9f2e5b8a1d'
    const on = { assessedOn: '2021-04-19', issuedOn: '2021-04-20' }
    certificates.b = await certify(http, w.b, occupations.electrician, 'S0130000092130001', {
      ...on,
      class: classes.c1.id,
    })
    certificates.c = await certify(http, w.c, occupations.electrician, 'S0130000092130002', on)

    // 2021-06-15: contribution history from the social-insurance system, then the claims.
    sys.clock.now = at('2021-06-15T10:00:00+08:00')
    for (const worker of [w.b, w.c, w.e]) await attestContributions(http, worker)
  }, 180_000)

  afterAll(async () => {
    if (!sys) return
    // The workers' data keys live in the database's shared key store; they go with the run.
    await sys.pool.query('delete from trec_keys.worker_keys where pseudonym = any($1)', [Object.values(w)])
    await sys.close()
  })

  const events = async (stream: string) => sys.store.readStream(stream)
  // What c1's device uploaded for its first session, to send again.
  let firstBatch: { checks: unknown[]; ids: string[] }

  /** The command is refused with 422 naming `rule` among its reasons, and the store's head does not move. */
  async function refused(send: () => Promise<Answer>, rule: string) {
    const before = await sys.store.lastPosition()
    const res = await send()
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.code).toBe('TREC_RULE_FAILED')
    const rules = (res.body.reasons as { rule: string }[]).map((r) => r.rule)
    expect(rules).toContain(rule)
    for (const reason of res.body.reasons) expect(typeof reason.message).toBe('string')
    expect(await sys.store.lastPosition()).toBe(before)
    return { rules, body: res.body }
  }

  it('pays a training subsidy from class opening to payment, citing its evidence and rule set', async () => {
    const { http } = sys
    const staff = people.staff(instA)
    const claim = accepted(await http.post('/v1/claims', staff, trainingClaim(classes.c1, w.a))).claim
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
    const paid = accepted(
      await http.post(`/v1/claims/${claim}/payment`, people.finance, {
        paymentRef: 'FIN-2021-06-15-0001',
        fundSource: 'employment_subsidy_fund',
      }),
    )
    expect(paid).toMatchObject({ amount: 220_000, advanceApplied: 0 })

    const payment = (await events(`subsidy-${w.a}`)).find((e) => e.type === 'SubsidyPaid')!
    expect(payment.id).toBe(paid.ids[0])
    expect(payment.data).toMatchObject({ claim, amount: 220_000, ruleSet: { id: 'sjz-2019', version: 1 } })
    // The evidence is the record of this training: enrolment, real-name check, a passing face
    // check for each session, the completion. Each was in the log before the payment.
    const training = await events(`training-${w.a}`)
    const enrolled = training.find((e) => e.type === 'WorkerEnrolled')!
    const verified = training.find((e) => e.type === 'IdentityVerified')!
    const checks = (await events(`attendance-${w.a}`)).filter((e) => e.type === 'FaceCheckRecorded')
    const completed = (await events(`assessment-${w.a}`)).find((e) => e.type === 'TrainingCompleted')!
    expect(checks).toHaveLength(2)
    expect(completed.data).toMatchObject({ attendanceShare: 1, passed: true })
    const cited = payment.data.evidence as string[]
    const expected = [enrolled, verified, ...checks, completed]
    expect(new Set(cited)).toEqual(new Set(expected.map((e) => e.id)))
    for (const e of expected) expect(e.position).toBeLessThan(payment.position)
    // The payment belongs to the claim's flow.
    const submitted = (await events(`subsidy-${w.a}`)).find((e) => e.type === 'SubsidyClaimSubmitted')!
    expect(payment.metadata).toMatchObject({ correlationId: submitted.id, actor: { kind: 'finance' } })

    const view = accepted(await http.get(`/v1/claims/${claim}`, people.investigator), 200)
    expect(view).toMatchObject({
      status: 'paid',
      amounts: { claimed: 220_000, approved: 220_000, paid: 220_000 },
    })
  })

  it('pays a skill-upgrade subsidy to the worker’s card on the certificate and contribution history', async () => {
    const { http } = sys
    const claim = accepted(
      await http.post('/v1/claims', people.officer, skillUpgradeClaim(w.b, certificates.b)),
    ).claim
    accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
    // 持卡领补: the card platform registers the card's account; the payment goes to it and to no
    // account finance or the institution types.
    expect(await registerCardAccount(http, card(102))).toBe(w.b)
    const ring = new KeyRing({ store: new SqlKeyStore(sys.pool), masterKey: sys.masterKey })
    accepted(
      await http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: 'FIN-2021-06-15-0002' }),
    )
    const payment = (await events(`subsidy-${w.b}`)).find((e) => e.type === 'SubsidyPaid')!
    const certificate = (await events(`assessment-${w.b}`)).find((e) => e.type === 'CertificateIssued')!
    const attested = (await events(`subsidy-${w.b}`)).find((e) => e.type === 'ContributionHistoryAttested')!
    expect(payment.data).toMatchObject({
      amount: 150_000,
      payee: { kind: 'worker', id: w.b },
      ruleSet: { id: 'sjz-2019' },
    })
    expect(payment.data.evidence).toEqual(expect.arrayContaining([certificate.id, attested.id]))
    const account = payment.data.account as { kind: string; bankAccount: unknown }
    expect(account.kind).toBe('ssc_card')
    expect(await ring.open(account.bankAccount, 'account.bankAccount', w.b)).toBe('6217000130000123456')
  })

  it('takes a batch the device sends again without writing it twice, and answers as before', async () => {
    const before = await sys.store.lastPosition()
    const again = await uploadChecks(
      sys.http,
      devices.c1!,
      `b-${classes.c1.sessions[0]!.session}`,
      firstBatch.checks,
    )
    expect(again).toEqual(firstBatch.ids)
    expect(await sys.store.lastPosition()).toBe(before)
  })

  it('identity-verified: refuses a claim for a worker with no real-name check on the record', async () => {
    const { rules } = await refused(
      () => sys.http.post('/v1/claims', people.officer, skillUpgradeClaim(w.c, certificates.c)),
      'identity-verified',
    )
    expect(rules).toEqual(['identity-verified'])
  })

  it('attendance-minimum: refuses a claim when the attendance share is below the minimum', async () => {
    const { rules, body } = await refused(
      () => sys.http.post('/v1/claims', people.staff(instA), trainingClaim(classes.c1, w.d)),
      'attendance-minimum',
    )
    // The completion's share (one session of two) and the hours the record shows (face checks)
    // both fall short, and the completion itself was recorded as not passed.
    expect(rules.sort()).toEqual(['attendance-minimum', 'attendance-minimum', 'completion'])
    const shortfalls = body.reasons.filter((r: { rule: string }) => r.rule === 'attendance-minimum')
    expect(shortfalls.map((r: { details: object }) => r.details)).toEqual([
      { share: 0.5, minimum: 0.8 },
      { attendedHours: 3.5, requiredHours: 7, share: 0.5, minimum: 0.8 },
    ])
    expect(body.reasons[0].ruleSet).toMatchObject({ id: 'sjz-2019', version: 1 })
  })

  it('completion: refuses a claim when no passed completion of the class is on the record', async () => {
    const { rules } = await refused(
      () => sys.http.post('/v1/claims', people.staff(instA), trainingClaim(classes.c1, w.e)),
      'completion',
    )
    // Without a completion there is no attendance share on the record either.
    expect(rules.sort()).toEqual(['attendance-minimum', 'completion'])
  })

  it('certificate-required: refuses a skill-upgrade claim without a certificate on the record', async () => {
    // Without a certificate the record shows no occupation and level to pay a standard for either.
    for (const certificate of [undefined, 'cert-not-on-record']) {
      const { rules } = await refused(
        () => sys.http.post('/v1/claims', people.officer, skillUpgradeClaim(w.e, certificate)),
        'certificate-required',
      )
      expect(rules.sort()).toEqual(['certificate-required', 'occupation-known'])
    }
  })

  it('once-per-occupation-level: refuses a second subsidy for the same occupation and level', async () => {
    const staff = people.staff(instA)
    accepted(await sys.http.post('/v1/claims', staff, trainingClaim(classes.c1, w.g)))
    const { rules } = await refused(
      () => sys.http.post('/v1/claims', staff, trainingClaim(classes.c2, w.g)),
      'once-per-occupation-level',
    )
    expect(rules).toEqual(['once-per-occupation-level'])
  })

  it('yearly-cap: refuses a fourth subsidy in one year', async () => {
    const staff = people.staff(instA)
    for (const cls of [classes.c1, classes.c3, classes.c4])
      accepted(await sys.http.post('/v1/claims', staff, trainingClaim(cls, w.h)))
    const { rules } = await refused(
      () => sys.http.post('/v1/claims', staff, trainingClaim(classes.c5, w.h)),
      'yearly-cap',
    )
    expect(rules).toEqual(['yearly-cap'])
  })

  it('institution-delisted: refuses a claim from an institution that has been delisted (清退)', async () => {
    accepted(
      await sys.http.post(`/v1/institutions/${instB}/delisting`, people.officer, {
        reason: 'false_training',
        note: '虚假培训: 花名册与签到记录不符',
      }),
    )
    const { rules } = await refused(
      () => sys.http.post('/v1/claims', people.staff(instB), trainingClaim(classes.cb, w.k)),
      'institution-delisted',
    )
    expect(rules).toEqual(['institution-delisted'])
  })

  /** A check that would be accepted in a properly signed batch of the device of class c1. */
  const lateCheck = () => faceCheck(w.a, classes.c1.sessions[0]!, 9)

  it('batch-signed: refuses a face-check batch that is not signed (alg none)', async () => {
    const device = devices.c1!
    const payload = batchOf(device, 'b-unsigned', [lateCheck()])
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const jws = `${b64({ alg: 'none', kid: device.id })}.${b64(payload)}.`
    const { rules } = await refused(
      () => sys.http.post('/v1/face-check-batches', people.device(device.id, device.class), { jws }),
      'batch-signed',
    )
    expect(rules).toEqual(['batch-signed'])
  })

  it('batch-signed: refuses a batch signed with a key that is not the registered device’s', async () => {
    const device = devices.c1!
    const { privateKey: foreign } = await generateKeyPair('EdDSA')
    const jws = await signBatch(batchOf(device, 'b-foreign', [lateCheck()]), device.id, foreign)
    const { rules } = await refused(
      () => sys.http.post('/v1/face-check-batches', people.device(device.id, device.class), { jws }),
      'batch-signed',
    )
    expect(rules).toEqual(['batch-signed'])
  })

  it('signer-registered: refuses a batch from a device whose key was never registered', async () => {
    const { privateKey } = await generateKeyPair('EdDSA')
    const stranger = { id: 'dev-fc-unregistered', class: classes.c1.id } as Device
    const jws = await signBatch(batchOf(stranger, 'b-stranger', [lateCheck()]), stranger.id, privateKey)
    const { rules } = await refused(
      () => sys.http.post('/v1/face-check-batches', people.device(stranger.id, stranger.class), { jws }),
      'signer-registered',
    )
    expect(rules).toEqual(['signer-registered'])
  })
})
