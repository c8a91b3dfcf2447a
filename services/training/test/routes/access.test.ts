import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, harness, people, type Who } from './harness.ts'

// Every route refuses a request without a token (401) and a caller whose role it does not admit
// (403), before reading its body. Institutions and catalogues are public to every role (D2
// 「及时向社会公开」), so those two routes have no wrong role.

const staff = people.staff
const routes: [method: 'GET' | 'POST', url: string, wrongRole: Who | undefined][] = [
  ['POST', '/v1/institutions', staff],
  ['POST', '/v1/institutions/inst-1/delisting', people.admin],
  ['GET', '/v1/institutions/inst-1', undefined],
  ['POST', '/v1/programmes', staff],
  ['GET', '/v1/catalogue/130100', undefined],
  ['POST', '/v1/classes', people.officer],
  ['GET', '/v1/classes/cls-1', people.cardService],
  ['POST', '/v1/classes/cls-1/review', staff],
  ['POST', '/v1/classes/cls-1/opening', people.officer],
  ['POST', '/v1/classes/cls-1/closing', people.admin],
  ['POST', '/v1/classes/cls-1/enrolments', people.officer],
  ['POST', '/v1/vouchers', staff],
  ['POST', '/v1/vouchers/vch-1/expiry', staff],
]

describe('access to every route', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.close())

  it.each(routes)('%s %s needs a token', async (method, url) => {
    const res = method === 'GET' ? await h.get(url, undefined) : await h.post(url, undefined, {})
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('TREC_UNAUTHENTICATED')
  })

  it.each(routes.filter(([, , who]) => who !== undefined))(
    '%s %s refuses a caller of another role',
    async (method, url, who) => {
      const res = method === 'GET' ? await h.get(url, who!) : await h.post(url, who!, {})
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ code: 'TREC_FORBIDDEN', reason: 'role' })
    },
  )
})
