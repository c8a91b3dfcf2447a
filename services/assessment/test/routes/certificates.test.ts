import { decodeRecorded } from '@trec/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { occupation, otherWorker, passedResult, worker } from '../fixtures.ts'
import { errorPaths, failedRules, type Harness, harness, seed, send } from './support.ts'

const issuer = { kind: 'social_evaluation_org', id: 'eval-130000-0009' }
const certificate = {
  worker,
  kind: 'skill_level',
  issuer,
  serial: 'S000013000009243000123',
  region: '130102',
  occupationCode: occupation,
  level: 4,
  issuedOn: '2024-06-03',
}

describe('certificates', () => {
  let h: Harness
  const assessor = (region = '1301') => h.tokens.mint({ sub: 'assessor-3', role: 'assessor', region })
  const issue = async (body: unknown, token?: string, headers?: Record<string, string>) =>
    send(h, 'POST', '/v1/certificates', token ?? (await assessor()), body, headers)
  const revoke = async (serial: string, body: unknown, token?: string) =>
    send(h, 'POST', `/v1/certificates/${issuer.id}/${serial}/revocation`, token ?? (await assessor()), body)

  beforeAll(async () => {
    h = await harness()
    await seed(
      h.store,
      { type: 'AssessmentResultRecorded', data: passedResult },
      { type: 'AssessmentResultRecorded', data: { ...passedResult, worker: otherWorker } },
    )
  })
  afterAll(() => h.close())

  it('issues a certificate on a passing result and takes its serial in the same append', async () => {
    const res = await issue(certificate)
    expect(res.statusCode).toBe(201)
    const { ids, certificate: id, revision } = res.json()
    const [issued] = (await h.store.readStream(`assessment-${worker}`)).slice(-1).map(decodeRecorded)
    expect(issued).toMatchObject({
      id: ids[0],
      type: 'CertificateIssued',
      region: '130102',
      data: { certificate: id, serial: certificate.serial, assessment: passedResult.assessment },
    })
    expect(revision).toBe(1)
    const registry = (await h.store.readStream(`certificate-${issuer.id}:${certificate.serial}`)).map(
      decodeRecorded,
    )
    expect(registry).toMatchObject([{ id: ids[1], data: { worker, certificate: id } }])
  })

  it('refuses the same serial from the same issuer, even for another worker', async () => {
    const res = await issue({ ...certificate, worker: otherWorker })
    expect([res.statusCode, failedRules(res)]).toEqual([422, ['certificate.serial-unique']])
  })

  it('gives a serial to one of two racing requests only', async () => {
    const serial = 'S000013000009243000999'
    const [a, b] = await Promise.all([
      issue({ ...certificate, worker: otherWorker, serial }),
      issue({ ...certificate, worker: otherWorker, serial, level: 4, issuedOn: '2024-06-04' }),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 422])
    expect(await h.store.readStream(`certificate-${issuer.id}:${serial}`)).toHaveLength(1)
  })

  it('refuses a second valid certificate for the same occupation and level, and one with no passing result', async () => {
    const again = await issue({ ...certificate, serial: 'S2' })
    expect(failedRules(again)).toEqual(['certificate.no-duplicate-valid'])
    const unassessed = await issue({ ...certificate, serial: 'S3', level: 2 })
    expect(failedRules(unassessed)).toEqual(['certificate.assessment-passed'])
  })

  it('answers 400 for a levelled kind without its level, or a serial that is a citizen ID number', async () => {
    const before = await h.store.lastPosition()
    const res = await issue({ ...certificate, level: undefined, serial: '11010519491231002X' })
    expect(res.statusCode).toBe(400)
    expect(errorPaths(res)).toEqual(expect.arrayContaining(['body.level', 'body.serial']))
    expect(res.body).not.toContain('11010519491231002X')
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('answers 401, 403 for another role, and 403 outside the assessor’s region', async () => {
    expect((await send(h, 'POST', '/v1/certificates', undefined, certificate)).statusCode).toBe(401)
    const officer = await h.tokens.mint({ sub: 'o', role: 'subsidy_officer', region: '13' })
    expect((await issue(certificate, officer)).json()).toMatchObject({ status: 403, reason: 'role' })
    expect((await issue(certificate, await assessor('1302'))).json()).toMatchObject({
      status: 403,
      reason: 'another region',
    })
  })

  it('issues once for the same command sent twice with one Idempotency-Key', async () => {
    const body = {
      ...certificate,
      kind: 'special_operation',
      serial: 'T130102',
      level: undefined,
      occupationCode: undefined,
      itemCode: 'DG-01',
    }
    const token = await assessor()
    const first = await issue(body, token, { 'idempotency-key': 'cert-op-1' })
    const second = await issue(body, token, { 'idempotency-key': 'cert-op-1' })
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.json()).toEqual(first.json())
    expect(await h.store.readStream(`certificate-${issuer.id}:T130102`)).toHaveLength(1)
  })

  it('lists the worker’s certificates for an investigator, and revokes one by issuer and serial', async () => {
    const investigator = await h.tokens.mint({ sub: 'inv-1', role: 'investigator' })
    const list = async () => (await send(h, 'GET', `/v1/workers/${worker}/certificates`, investigator)).json()
    expect((await list()).certificates.map((c: { status: string }) => c.status)).toEqual(['valid', 'valid'])
    const res = await revoke(certificate.serial, { reason: 'fraud', note: '考务检查发现替考' })
    expect(res.statusCode).toBe(201)
    const revoked = (await list()).certificates.find(
      (c: { serial: string }) => c.serial === certificate.serial,
    )
    expect(revoked).toMatchObject({
      status: 'revoked',
      region: '130102',
      revocation: { reason: 'fraud', eventId: res.json().ids[0] },
    })
    const twice = await revoke(certificate.serial, { reason: 'fraud' })
    expect([twice.statusCode, failedRules(twice)]).toEqual([422, ['certificate.not-revoked']])
  })

  it('answers revocation of an unknown serial 404, outside the region 403, a bad reason 400', async () => {
    expect((await revoke('S-NONE', { reason: 'fraud' })).statusCode).toBe(404)
    expect((await revoke('T130102', { reason: 'fraud' }, await assessor('23'))).json()).toMatchObject({
      status: 403,
    })
    const before = await h.store.lastPosition()
    const bad = await revoke('T130102', { reason: 'disliked' })
    expect([bad.statusCode, errorPaths(bad)]).toEqual([400, ['body.reason']])
    expect(await h.store.lastPosition()).toBe(before)
    const staff = await h.tokens.mint({ sub: 's', role: 'institution_staff', institution: 'i' })
    expect((await revoke('T130102', { reason: 'fraud' }, staff)).statusCode).toBe(403)
    expect(
      (
        await send(h, 'POST', `/v1/certificates/${issuer.id}/T130102/revocation`, undefined, {
          reason: 'fraud',
        })
      ).statusCode,
    ).toBe(401)
  })

  it('serves the list to assessors and subsidy officers only, by pseudonym', async () => {
    const url = `/v1/workers/${worker}/certificates`
    const officer = await h.tokens.mint({ sub: 'o', role: 'subsidy_officer', region: '23' })
    expect((await send(h, 'GET', url, officer)).statusCode).toBe(200)
    expect((await send(h, 'GET', url, await assessor())).statusCode).toBe(200)
    const staff = await h.tokens.mint({ sub: 's', role: 'institution_staff', institution: 'i' })
    expect((await send(h, 'GET', url, staff)).statusCode).toBe(403)
    expect((await send(h, 'GET', url, undefined)).statusCode).toBe(401)
    const byCard = await send(h, 'GET', '/v1/workers/11010519491231002X/certificates', officer)
    expect([byCard.statusCode, errorPaths(byCard)]).toEqual([400, ['params.worker']])
  })

  it('revokes once for the same revocation sent twice with one Idempotency-Key', async () => {
    const url = `/v1/certificates/${issuer.id}/T130102/revocation`
    const token = await assessor()
    const key = { 'idempotency-key': 'revoke-op-1' }
    const first = await send(h, 'POST', url, token, { reason: 'issued_in_error' }, key)
    const second = await send(h, 'POST', url, token, { reason: 'issued_in_error' }, key)
    expect([first.statusCode, second.statusCode, second.json()]).toEqual([201, 201, first.json()])
    const revocations = (await h.store.readStream(`assessment-${worker}`)).filter(
      (e) => e.type === 'CertificateRevoked',
    )
    expect(revocations).toHaveLength(2)
  })

  it('documents its five operations in the OpenAPI document', async () => {
    const { paths } = (await send(h, 'GET', '/docs/json', undefined)).json()
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/completions',
        '/v1/assessment-results',
        '/v1/certificates',
        '/v1/certificates/{issuer}/{serial}/revocation',
        '/v1/workers/{worker}/certificates',
      ]),
    )
  })
})
