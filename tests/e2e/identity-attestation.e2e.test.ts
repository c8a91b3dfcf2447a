// 实名认证 as a signed attestation, on the embedded start (`npm start`'s configuration on a fresh
// data directory): the server trusts the local stand-in issuer whose key it made there, and
// `npm run attest` signs with that key. A county rule set requires a signed attestation; under it
// an enrolment on the institution's word is refused, and so is each forged attestation (another
// key, expired, another person's, replayed, an untrusted issuer), with the reason, problem+json
// naming `body.attestation`, and nothing written. A genuine attestation enrols, is recorded with
// its issuer, method, times and hash (never the JWS or a photo), and shows in the archive.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPseudonymizer } from '@trec/privacy'
import { attestationDigest, createAttestationIssuer } from '@trec/training'
import type { JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { at, day } from './support/china-days.ts'
import type { Json } from './support/http.ts'
import {
  accepted,
  card,
  designate,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

const today = day(0)
const inst = 'inst-130100-0251'
const cli = join(import.meta.dirname, '../../services/app/src/attest-cli.ts')

/** 长安区's set: the city's training subsidy, and a signed attestation required at enrolment. */
const changanSet = {
  id: 'changan-idv-2026',
  title: '长安区 职业技能培训补贴（实名认证凭证）',
  region: '130102',
  validFrom: today,
  validTo: '2099-12-31',
  source: 'A test county standard (not from the seeds; set by the region).',
  shortageOccupations: { source: 'none listed', codes: [] },
  kinds: {
    training: {
      source: 'the county’s ceiling',
      payees: ['provider'],
      amount: { basis: 'cap', perPerson: 220_000 },
      requires: { enrolment: true, attendance: true, completion: true, certificate: false },
    },
  },
  practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8 },
  identity: { source: 'D0 「实现培训对象实名认证」, signed by a trusted source', requireAttestation: true },
}

describe('signed identity attestations at enrolment, on the embedded start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-idv-e2e-'))
  const clock = { now: at(today, '08:00') }
  let sys: StartedSystem
  let first: OpenedClass
  let second: OpenedClass
  let pseudonym: (cardNumber: string) => string
  let localKey: JWK
  let genuine: string

  /** The attestation the stand-in issuer signs, as `npm run attest` prints it. */
  function attestByCli(cardNumber: string, method: string): string {
    const r = spawnSync(
      process.execPath,
      [cli, '--method', method, '--card', cardNumber, '--at', clock.now.toISOString()],
      { encoding: 'utf8', env: { ...process.env, TREC_DATA_DIR: dataDir, TREC_PSEUDONYM_SECRET: '' } },
    )
    expect(r.status, r.stderr).toBe(0)
    return r.stdout.trim()
  }

  const body = (cardNumber: string, extra: Record<string, unknown>) => ({
    cardNumber,
    name: '李秀英',
    phone: '13912345678',
    ...extra,
  })

  /** Refused 422 with these rules, naming `body.attestation` when it concerns it, nothing appended. */
  async function refused(cls: OpenedClass, sent: Json, rules: string[], field = true) {
    const before = await sys.store.lastPosition()
    const res = await sys.http.post(`/v1/classes/${cls.id}/enrolments`, people.staff(inst), sent)
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.code).toBe('TREC_RULE_FAILED')
    const reasons = res.body.reasons as { rule: string; message: string }[]
    expect(reasons.map((r) => r.rule).sort()).toEqual([...rules].sort())
    for (const r of reasons) expect(r.message.length).toBeGreaterThan(10)
    if (field)
      expect(res.body.errors.map((e: { path: string[] }) => e.path.join('.'))).toContain('body.attestation')
    expect(await sys.store.lastPosition()).toBe(before)
    return res.body
  }

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'))
    pseudonym = createPseudonymizer(secrets.pseudonymSecret).pseudonym
    localKey = secrets.identityIssuerJwk
    await designate(sys.http, inst, '52130100MJ0123456N')
    const programme = await publish(sys.http, occupations.cook, day(-30), day(60))
    first = await openClass(sys.http, inst, programme, [day(1), day(2)])
    second = await openClass(sys.http, inst, programme, [day(3)])
    accepted(await sys.http.post('/v1/rule-sets', people.officer, changanSet))
  }, 120_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses a check reported on the institution’s word where the rule set requires an attestation', async () => {
    const problem = await refused(
      first,
      body(card(401), {
        identity: {
          method: 'ssc_platform',
          platform: 'ssc-national',
          platformRef: 'SSCP-0401',
          result: 'passed',
          verifiedAt: clock.now.toISOString(),
        },
      }),
      ['identity-attestation-required'],
      false,
    )
    expect(problem.reasons[0].ruleSet).toEqual({ id: changanSet.id, version: 1 })
  })

  it('refuses an attestation signed with a key the issuer never had (the same kid)', async () => {
    const { privateJwk } = await createAttestationIssuer('trec-local-idp')
    const forger = await createAttestationIssuer('trec-local-idp', { ...privateJwk, kid: localKey.kid })
    const jws = await forger.attest({ subject: pseudonym(card(402)), method: 'face', checkedAt: clock.now })
    const problem = await refused(first, body(card(402), { attestation: jws }), ['attestation-signature'])
    expect(problem.reasons[0].message).toContain('does not verify')
  })

  it('refuses an attestation of an issuer the deployment does not trust', async () => {
    const stranger = await createAttestationIssuer('ssc-elsewhere')
    const jws = await stranger.attest({ subject: pseudonym(card(403)), method: 'face', checkedAt: clock.now })
    await refused(first, body(card(403), { attestation: jws }), ['attestation-issuer'])
  })

  it('refuses an expired attestation', async () => {
    const local = await createAttestationIssuer('trec-local-idp', localKey)
    const jws = await local.attest({
      subject: pseudonym(card(404)),
      method: 'e_card',
      checkedAt: new Date(clock.now.getTime() - 3_600_000),
      ttlSeconds: 600,
    })
    const problem = await refused(first, body(card(404), { attestation: jws }), ['attestation-expired'])
    expect(problem.errors[0]).toMatchObject({ path: ['body', 'attestation'], code: 'attestation-expired' })
  })

  it('refuses another person’s attestation presented with this card number', async () => {
    const jws = attestByCli(card(405), 'e_card')
    await refused(first, body(card(406), { attestation: jws }), ['attestation-subject'])
  })

  it('enrols on a genuine attestation and records its issuer, method, times and hash, never the JWS', async () => {
    genuine = attestByCli(card(407), 'e_card')
    const res = accepted(
      await sys.http.post(
        `/v1/classes/${first.id}/enrolments`,
        people.staff(inst),
        body(card(407), { attestation: genuine }),
      ),
    )
    const worker = pseudonym(card(407))
    expect(res.worker).toBe(worker)
    const events = await sys.store.readStream(`training-${worker}`)
    const check = events.find((e) => e.type === 'IdentityVerified')!
    expect(check.data).toMatchObject({
      worker,
      class: first.id,
      method: 'e_card',
      result: 'verified',
      verifiedBy: { kind: 'platform', id: 'trec-local-idp' },
      attestation: {
        issuer: 'trec-local-idp',
        kid: localKey.kid,
        issuedAt: clock.now.toISOString().replace(/\.\d{3}Z$/, '.000Z'),
        sha256: attestationDigest(genuine),
      },
    })
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(genuine.split('.')[2])
  })

  it('refuses the same attestation presented again, for another class', async () => {
    await refused(second, body(card(407), { attestation: genuine }), ['identity-check-reused'])
  })

  it('shows the check in the archive with its issuer and method', async () => {
    const deadline = Date.now() + 30_000
    for (;;) {
      const res = await sys.http.post(
        '/v1/archive/lookup',
        { sub: 'card-svc-1', role: 'card_service' },
        {
          cardNumber: card(407),
          purpose: 'card_holder_request',
        },
      )
      expect(res.status, res.text).toBe(200)
      const training = (res.body.archive.trainings as Json[]).find((t) => t.class === first.id)
      if (training) {
        expect(training.identityVerified).toBe(true)
        expect(training.identityCheck).toMatchObject({
          method: 'e_card',
          verifiedBy: { kind: 'platform', id: 'trec-local-idp' },
          attestation: { issuer: 'trec-local-idp', sha256: attestationDigest(genuine) },
        })
        break
      }
      if (Date.now() > deadline) throw new Error('the archive never showed the enrolment')
      await new Promise((r) => setTimeout(r, 250))
    }
  }, 60_000)
})
