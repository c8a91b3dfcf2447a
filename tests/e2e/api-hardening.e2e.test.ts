// Every route of the composed app, read from its own OpenAPI document, against bad credentials,
// callers out of role or scope, and a generated set of invalid bodies: each answered with the
// right 4xx as application/problem+json, never a 5xx, and with nothing appended to the store.
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caller, exampleBodies, ghost, institution, nonJsonBodies } from './support/example-requests.ts'
import type { Answer } from './support/http.ts'
import { invalidBodies, type JsonSchema } from './support/invalid-bodies.ts'
import {
  card,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  region,
} from './support/record.ts'
import { catalogued, otherRoles, type Route, routesOf, urlOf } from './support/routes.ts'
import { embeddedSystem, type System } from './support/system.ts'

describe('the composed app’s routes against bad credentials and bad bodies (embedded store)', () => {
  let sys: System
  let doc: JsonSchema
  let routes: Route[]
  let examples: Record<string, unknown>
  let cls: OpenedClass
  let enrolled: string

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    const res = await sys.http.get('/docs/json', undefined)
    expect(res.status).toBe(200)
    doc = res.body
    routes = routesOf(sys.app, doc)
    examples = exampleBodies(
      await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey),
    )
    // A small record for the scope checks: a designated institution with an open class and a worker.
    await designate(sys.http, institution, '52130100MJ0123456N')
    cls = await openClass(sys.http, institution, await publish(sys.http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
    enrolled = await enrol(sys.http, cls, card(101), '2021-03-01T08:40:00+08:00')
  }, 60_000)

  afterAll(async () => {
    await sys?.close()
  })

  /** Sends, and returns a failure message unless the answer is `status` problem+json with `code`, appending nothing. */
  async function expectProblem(
    label: string,
    send: () => Promise<Answer>,
    status: number,
    code: string,
    check?: (res: Answer) => string | undefined,
  ): Promise<string | undefined> {
    const before = await sys.store.lastPosition()
    const res = await send()
    const after = await sys.store.lastPosition()
    const problems: string[] = []
    if (res.status !== status) problems.push(`status ${res.status}, not ${status}`)
    if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? ''))
      problems.push(`content-type ${res.headers['content-type']}`)
    if (res.body?.code !== code) problems.push(`code ${res.body?.code}, not ${code}`)
    if (after !== before) problems.push(`the store moved from ${before} to ${after}`)
    const extra = check?.(res)
    if (extra) problems.push(extra)
    return problems.length > 0 ? `${label}: ${problems.join('; ')} — ${res.text.slice(0, 300)}` : undefined
  }

  it('documents every route the app registers, each with the roles it declares', () => {
    const documented = routes.map((r) => r.name).sort()
    expect(documented).toEqual([...new Set(catalogued(sys.app))].sort())
    // All four services are there.
    for (const path of ['/v1/classes', '/v1/face-check-batches', '/v1/completions', '/v1/claims'])
      expect(documented).toContain(`POST ${path}`)
    expect(routes.length).toBeGreaterThanOrEqual(25)
    for (const route of routes) expect(route.roles.length, route.name).toBeGreaterThan(0)
  })

  it('answers 401 to a missing, expired, wrong-audience, wrong-issuer, wrong-key or alg-none token on every route', async () => {
    const failures: string[] = []
    let sent = 0
    for (const route of routes) {
      const bad = await sys.tokens.bad(caller(route.roles[0]!))
      for (const [why, token] of Object.entries(bad)) {
        const authorization = token.startsWith('Bearer') ? token : `Bearer ${token}`
        const body = route.body ? (examples[route.name] ?? {}) : undefined
        sent++
        const failure = await expectProblem(
          `${route.name} with a ${why} token`,
          () => sys.http.send(route.method, urlOf(route, ghost), token ? { authorization } : {}, body),
          401,
          'TREC_UNAUTHENTICATED',
          (res) =>
            res.headers['www-authenticate']?.startsWith('Bearer') ? undefined : 'no WWW-Authenticate: Bearer',
        )
        if (failure) failures.push(failure)
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(routes.length * 7)
  })

  it('answers 403 to a valid token of every role a route does not allow', async () => {
    const failures: string[] = []
    for (const route of routes)
      for (const role of otherRoles(route)) {
        const failure = await expectProblem(
          `${route.name} as ${role}`,
          () =>
            sys.http.call(
              route.method,
              urlOf(route, ghost),
              caller(role),
              route.body ? examples[route.name] : undefined,
            ),
          403,
          'TREC_FORBIDDEN',
          (res) => (res.body?.reason === 'role' ? undefined : `reason ${res.body?.reason}, not role`),
        )
        if (failure) failures.push(failure)
      }
    expect(failures).toEqual([])
  })

  describe('answers 403 to an allowed role out of its scope', () => {
    const otherStaff = people.staff('inst-130100-0099')
    const scoped = (label: string, send: () => Promise<Answer>) =>
      it(label, async () => {
        expect(await expectProblem(label, send, 403, 'TREC_FORBIDDEN')).toBeUndefined()
      })

    scoped('training: staff of another institution applying for a class of this one', () =>
      sys.http.post('/v1/classes', otherStaff, {
        ...(examples['POST /v1/classes'] as object),
        institution,
        programme: 'prog-x',
      }),
    )
    scoped('training: staff of another institution reading a class', () =>
      sys.http.get(`/v1/classes/${cls.id}`, otherStaff),
    )
    scoped('training: an officer of another city publishing a programme here', () =>
      sys.http.post('/v1/programmes', { ...people.officer, region: '1302' }, examples['POST /v1/programmes']),
    )
    scoped('attendance: staff of another institution registering a device to a class', () =>
      sys.http.post('/v1/devices', otherStaff, {
        ...(examples['POST /v1/devices'] as object),
        class: cls.id,
      }),
    )
    scoped('attendance: a device of another class recording an online segment', () =>
      sys.http.post('/v1/online-segments', people.device('dev-fc-0009', 'cls-other'), {
        ...(examples['POST /v1/online-segments'] as object),
        worker: enrolled,
        class: cls.id,
      }),
    )
    scoped('assessment: an assessor of another province recording a result here', () =>
      sys.http.post(
        '/v1/assessment-results',
        { ...people.assessor, region: '14' },
        examples['POST /v1/assessment-results'],
      ),
    )
    scoped('assessment: staff of another institution recording a completion', () =>
      sys.http.post('/v1/completions', otherStaff, { worker: enrolled, class: cls.id }),
    )
    scoped('subsidy: an officer of another city claiming for a worker here', () =>
      sys.http.post(
        '/v1/claims',
        { ...people.officer, region: '1302' },
        {
          worker: enrolled,
          region,
          kind: 'training',
          payee: { kind: 'worker', id: enrolled },
          amount: 100_000,
          class: cls.id,
        },
      ),
    )
    scoped('subsidy: staff claiming for another institution', () =>
      sys.http.post('/v1/claims', otherStaff, {
        ...(examples['POST /v1/claims'] as object),
        worker: enrolled,
        class: cls.id,
      }),
    )
    scoped('subsidy: finance of another city attesting contribution history here', () =>
      sys.http.post(
        `/v1/workers/${enrolled}/contribution-history`,
        { ...people.finance, region: '1302' },
        examples['POST /v1/workers/{worker}/contribution-history'],
      ),
    )
  })

  it('has a valid example body for every route that takes one', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.body)) {
      const body = examples[route.name]
      if (body === undefined) {
        failures.push(`${route.name}: no example body (add one to exampleBodies)`)
        continue
      }
      const res = await sys.http.call(route.method, urlOf(route, ghost), caller(route.roles[0]!), body)
      if (res.status === 400 || res.status >= 500)
        failures.push(`${route.name}: ${res.status} ${res.text.slice(0, 300)}`)
    }
    expect(failures).toEqual([])
  })

  it('answers every generated invalid body with 400 problem+json naming the field, and appends nothing', async () => {
    const failures: string[] = []
    let sent = 0
    for (const route of routes.filter((r) => r.body)) {
      const valid = examples[route.name]
      if (valid === undefined) continue
      const mutations = invalidBodies(doc, route.body!, valid)
      for (const m of mutations) {
        sent++
        const failure = await expectProblem(
          `${route.name} with ${m.name}`,
          () => sys.http.call(route.method, urlOf(route, ghost), caller(route.roles[0]!), m.body),
          400,
          'TREC_VALIDATION',
          (res) => {
            const errors = (res.body?.errors ?? []) as { path: (string | number)[]; code: string }[]
            const named = errors.filter((e) => ['body', ...m.path].every((key, i) => e.path[i] === key))
            if (named.length === 0)
              return `no error names body.${m.path.join('.')} (${JSON.stringify(errors).slice(0, 200)})`
            if (m.code && !named.some((e) => e.code === m.code)) return `no issue with code ${m.code}`
            return undefined
          },
        )
        if (failure) failures.push(failure)
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(400)
  }, 120_000)

  it('answers a body that is not JSON with 400 (415 when sent as text), and one over the body limit with 413', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.body)) {
      const who = caller(route.roles[0]!)
      const url = urlOf(route, ghost)
      const malformed = await expectProblem(
        `${route.name} with malformed JSON`,
        () => sys.http.call(route.method, url, who, '{"unterminated": '),
        400,
        'TREC_VALIDATION',
        (res) =>
          (res.body?.errors ?? []).some(
            (e: { path: unknown[]; code: string }) =>
              e.path.join('.') === 'body' && e.code === 'invalid_json',
          )
            ? undefined
            : `errors do not name the body as invalid_json: ${JSON.stringify(res.body?.errors)}`,
      )
      if (malformed) failures.push(malformed)
      // A prototype-poisoning key is refused by the parser, not merged into anything.
      const poisoned = await expectProblem(
        `${route.name} with a __proto__ key`,
        () => sys.http.call(route.method, url, who, '{"__proto__": {"role": "admin"}}'),
        400,
        'TREC_VALIDATION',
      )
      if (poisoned) failures.push(poisoned)
      const text = await expectProblem(
        `${route.name} as text/plain`,
        () =>
          sys.http.call(route.method, url, who, JSON.stringify(examples[route.name]), {
            'content-type': 'text/plain',
          }),
        415,
        'TREC_UNSUPPORTED_MEDIA_TYPE',
      )
      if (text) failures.push(text)
      const oversized = JSON.stringify({
        ...(examples[route.name] as object),
        zzPadding: 'x'.repeat(route.bodyLimit),
      })
      const tooLarge = await expectProblem(
        `${route.name} with ${oversized.length} bytes (limit ${route.bodyLimit})`,
        () => sys.http.call(route.method, url, who, oversized),
        413,
        'TREC_PAYLOAD_TOO_LARGE',
      )
      if (tooLarge) failures.push(tooLarge)
    }
    expect(failures).toEqual([])
  })

  it('answers a route that takes another media type than JSON: its valid body, its invalid ones with 400, JSON with 415', async () => {
    const failures: string[] = []
    for (const [name, spec] of Object.entries(nonJsonBodies)) {
      const route = routes.find((r) => r.name === name)
      if (!route) {
        failures.push(`${name}: not a route of the app`)
        continue
      }
      const who = caller(route.roles[0]!)
      const url = urlOf(route, ghost)
      const headers = { 'content-type': spec.contentType }
      const ok = await sys.http.call(route.method, url, who, spec.valid, headers)
      if (ok.status !== 200)
        failures.push(`${name} with its valid body: ${ok.status} ${ok.text.slice(0, 300)}`)
      for (const [why, body] of Object.entries(spec.invalid)) {
        const failure = await expectProblem(
          `${name} with ${why}`,
          () => sys.http.call(route.method, url, who, body, headers),
          400,
          'TREC_VALIDATION',
          (res) =>
            (res.body?.errors ?? []).some((e: { path: unknown[] }) => e.path[0] === 'body')
              ? undefined
              : `no error names the body: ${JSON.stringify(res.body?.errors).slice(0, 200)}`,
        )
        if (failure) failures.push(failure)
      }
      const json = await expectProblem(
        `${name} as application/json`,
        () => sys.http.call(route.method, url, who, { rows: [] }),
        415,
        'TREC_UNSUPPORTED_MEDIA_TYPE',
      )
      if (json) failures.push(json)
    }
    expect(failures).toEqual([])
  })

  it('answers an invalid path parameter with 400 naming it', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.params.length > 0))
      for (const param of route.params) {
        const url = urlOf(route, { ...ghost, [param]: 'not valid!' })
        const failure = await expectProblem(
          `${route.name} with ${param} = "not valid!"`,
          () =>
            sys.http.call(
              route.method,
              url,
              caller(route.roles[0]!),
              route.body ? examples[route.name] : undefined,
            ),
          400,
          'TREC_VALIDATION',
          (res) =>
            (res.body?.errors ?? []).some(
              (e: { path: unknown[] }) => e.path[0] === 'params' && e.path[1] === param,
            )
              ? undefined
              : `no error names params.${param}`,
        )
        if (failure) failures.push(failure)
      }
    expect(failures).toEqual([])
  })
})
