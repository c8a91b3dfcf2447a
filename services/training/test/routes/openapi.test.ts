import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, harness } from './harness.ts'

describe('the OpenAPI document', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.close())

  it('describes every route from its zod schemas, card numbers only ever in request bodies', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/catalogue/{region}',
      '/v1/catalogues/evaluation-bodies',
      '/v1/catalogues/evaluation-bodies/{entry}',
      '/v1/catalogues/evaluation-bodies/{entry}/adjustments',
      '/v1/catalogues/evaluation-bodies/{entry}/withdrawal',
      '/v1/catalogues/institutions',
      '/v1/catalogues/institutions/{entry}',
      '/v1/catalogues/institutions/{entry}/adjustments',
      '/v1/catalogues/institutions/{entry}/withdrawal',
      '/v1/catalogues/programmes',
      '/v1/catalogues/programmes/{entry}',
      '/v1/catalogues/programmes/{entry}/adjustments',
      '/v1/catalogues/programmes/{entry}/withdrawal',
      '/v1/catalogues/shortage-occupations',
      '/v1/catalogues/shortage-occupations/{entry}',
      '/v1/catalogues/shortage-occupations/{entry}/adjustments',
      '/v1/catalogues/shortage-occupations/{entry}/withdrawal',
      '/v1/classes',
      '/v1/classes/{class}',
      '/v1/classes/{class}/closing',
      '/v1/classes/{class}/enrolments',
      '/v1/classes/{class}/opening',
      '/v1/classes/{class}/review',
      '/v1/institutions',
      '/v1/institutions/{institution}',
      '/v1/institutions/{institution}/delisting',
      '/v1/institutions/{institution}/suspension',
      '/v1/programmes',
      '/v1/vouchers',
      '/v1/vouchers/{voucher}/claim',
      '/v1/vouchers/{voucher}/expiry',
    ])
    const enrolment = doc.paths['/v1/classes/{class}/enrolments'].post
    const ref = enrolment.requestBody.content['application/json'].schema.$ref as string
    const body = doc.components.schemas[ref.replace('#/components/schemas/', '')]
    expect(body.required).toEqual(expect.arrayContaining(['cardNumber', 'name', 'phone']))
    // Exactly one of the two is sent: a signed attestation, or the check as reported.
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['attestation', 'identity']))
    const parameters = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops as Record<string, { parameters?: { name: string }[] }>).flatMap(
        (op) => op.parameters ?? [],
      ),
    )
    expect(parameters.map((p) => p.name)).not.toContain('cardNumber')
  })
})
