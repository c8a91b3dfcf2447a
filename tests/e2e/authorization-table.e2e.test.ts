// SECURITY.md's authorization table against the running app: every route of the served OpenAPI
// document has a row, each row's roles are the ones the route declares, and every role outside
// the row is refused 403 with nothing written.
import { readFileSync } from 'node:fs'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caller, exampleBodies, ghost } from './support/example-requests.ts'
import type { JsonSchema } from './support/invalid-bodies.ts'
import { otherRoles, type Route, routesOf, urlOf } from './support/routes.ts'
import { embeddedSystem, type System } from './support/system.ts'

interface Row {
  roles: string[]
  scope: string
  logged: string
}

/** The rows of the table under "Who may call what": `| \`METHOD /path\` | roles | scope | logged |`. */
function table(): Map<string, Row> {
  const text = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8')
  const rows = new Map<string, Row>()
  for (const line of text.split('\n')) {
    const m = /^\| `((?:GET|POST) \/[^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/.exec(line)
    if (m)
      rows.set(m[1]!, {
        roles: m[2]!.split(',').map((r) => r.trim()),
        scope: m[3]!.trim(),
        logged: m[4]!.trim(),
      })
  }
  return rows
}

describe('SECURITY.md’s authorization table against the served routes (embedded store)', () => {
  let sys: System
  let routes: Route[]
  let examples: Record<string, unknown>
  const rows = table()

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    const doc = (await sys.http.get('/docs/json', undefined)).body as JsonSchema
    routes = routesOf(sys.app, doc)
    examples = exampleBodies(
      await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey),
    )
  }, 60_000)

  afterAll(async () => {
    await sys?.close()
  })

  it('has a row for every documented route, and no row for a route that is not served', () => {
    const served = routes.map((r) => r.name).sort()
    expect(served.length).toBeGreaterThanOrEqual(60)
    expect(served.filter((name) => !rows.has(name))).toEqual([])
    expect([...rows.keys()].filter((name) => !served.includes(name))).toEqual([])
  })

  it('gives each route the roles it declares, and says whether and how a read is logged', () => {
    const wrong = routes
      .filter((r) => [...r.roles].sort().join() !== [...rows.get(r.name)!.roles].sort().join())
      .map(
        (r) =>
          `${r.name}: declares ${r.roles.join(', ')}; the table says ${rows.get(r.name)!.roles.join(', ')}`,
      )
    expect(wrong).toEqual([])
    for (const r of routes) {
      const row = rows.get(r.name)!
      expect(row.scope.length, r.name).toBeGreaterThan(0)
      expect(row.logged, r.name).toMatch(
        r.method === 'GET' || r.name.endsWith('/lookup') ? /^(yes|no)\b/ : /^(—|no\b)/,
      )
    }
  })

  it('refuses 403 every role outside a row, writing nothing', async () => {
    const failures: string[] = []
    for (const route of routes)
      for (const role of otherRoles(route)) {
        const before = await sys.store.lastPosition()
        const res = await sys.http.call(
          route.method,
          urlOf(route, ghost),
          caller(role),
          route.body ? examples[route.name] : undefined,
        )
        if (res.status !== 403 || (await sys.store.lastPosition()) !== before)
          failures.push(`${route.name} as ${role}: ${res.status}`)
      }
    expect(failures).toEqual([])
  })

  it('refuses 403 a region-bound role whose token names another region, on every read of a region-scoped row', async () => {
    // A token of Guangdong (44) against the ghost values, all of Hebei (13) or naming nothing:
    // each region-scoped read answers 403 or 404 (nothing of 44 exists), never 200 with data.
    const failures: string[] = []
    for (const route of routes.filter(
      (r) => r.method === 'GET' && /^region|region$/.test(rows.get(r.name)!.scope),
    ))
      for (const role of route.roles.filter((r) =>
        ['subsidy_officer', 'finance', 'reviewer', 'assessor'].includes(r),
      )) {
        const res = await sys.http.get(urlOf(route, { ...ghost, region: '130100' }), {
          ...caller(role),
          region: '44',
        })
        if (res.status === 200 && JSON.stringify(res.body).includes('"130'))
          failures.push(`${route.name} as ${role} of 44: 200 with data of 13`)
        if (res.status >= 500) failures.push(`${route.name} as ${role} of 44: ${res.status}`)
      }
    expect(failures).toEqual([])
  })
})
