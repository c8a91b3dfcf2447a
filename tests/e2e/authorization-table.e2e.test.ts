// SECURITY.md's authorization table against the running app: every route of the served OpenAPI
// document has a row, each row's roles are the ones the route declares, and every role outside
// the row is refused 403 with nothing written.
import { readFileSync } from 'node:fs'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import type { Who } from './support/client.ts'
import { caller, exampleBodies, ghost, nonJsonBodies } from './support/example-requests.ts'
import type { JsonSchema } from './support/invalid-bodies.ts'
import { skillUpgradeClaim } from './support/record.ts'
import { otherRoles, type Route, routesOf, urlOf } from './support/routes.ts'
import { recordRuleSet, type ScopedRecord, scopedRecord } from './support/scoped-record.ts'
import { embeddedSystem, type System } from './support/system.ts'

interface Row {
  roles: string[]
  /** What bounds a token inside its role: `any`, `log`, `region`, `institution`, `class`, `case`, `self`. */
  bounds: string[]
  scope: string
  logged: string
}

const boundKinds = ['any', 'log', 'region', 'institution', 'class', 'case', 'self']

/** The rows of the table under "Who may call what": `| \`METHOD /path\` | roles | bound by | scope | logged |`. */
function table(): Map<string, Row> {
  const text = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8')
  const rows = new Map<string, Row>()
  for (const line of text.split('\n')) {
    const m = /^\| `((?:GET|POST) \/[^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/.exec(line)
    if (m)
      rows.set(m[1]!, {
        roles: m[2]!.split(',').map((r) => r.trim()),
        bounds: m[3]!.split(',').map((r) => r.trim()),
        scope: m[4]!.trim(),
        logged: m[5]!.trim(),
      })
  }
  return rows
}

describe('SECURITY.md’s authorization table against the served routes (embedded store)', () => {
  let sys: System
  let routes: Route[]
  let examples: Record<string, unknown>
  const rows = table()

  /** Path values that name things on the record of 130102 (see support/scoped-record.ts). */
  let real: ScopedRecord

  beforeAll(async () => {
    // The read side runs: payments, alerts, a claim's trace and checkpoints are read models.
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    real = await scopedRecord(sys)
    const doc = (await sys.http.get('/docs/json', undefined)).body as JsonSchema
    routes = routesOf(sys.app, doc)
    examples = exampleBodies(
      await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey),
    )
  }, 120_000)

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
      expect(
        row.bounds.filter((b) => !boundKinds.includes(b)),
        r.name,
      ).toEqual([])
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

  it('refuses 403, writing nothing, a token of the row’s roles outside the scope the row names, on the record itself', async () => {
    // Each row is probed by its `bound by` column against things that exist (not ghosts): a token of
    // another institution, a device of another class, a region-bound role of another region, a
    // cited case that is closed, of another region, or about someone else. Every route is probed,
    // except those whose `bound by` leaves nothing to step outside of (`any`, `log`).
    const failures: string[] = []
    const unprobed: string[] = []
    let probes = 0
    await caughtUp(sys)
    for (const route of routes) {
      const row = rows.get(route.name)!
      const outcome = /outside: (\d{3}|filtered)/.exec(row.scope)?.[1] ?? '403'
      const csv = nonJsonBodies[route.name]
      const list = outside(route, row, real)
      if (list.length === 0) unprobed.push(route.name)
      for (const probe of list) {
        probes++
        const before = await sys.store.lastPosition()
        const res = await sys.http.call(
          route.method,
          `${urlOf(route, real)}${probe.query ?? ''}`,
          probe.who,
          csv
            ? csvOnRecord(real)
            : route.body
              ? onRecord(examples[route.name], real, { ...recordBodies(real)[route.name], ...probe.body })
              : undefined,
          csv ? { 'content-type': csv.contentType } : {},
        )
        const wrote = (await sys.store.lastPosition()) !== before
        const held =
          outcome === 'filtered'
            ? res.status === 200 &&
              !['claim', 'case', 'serial', 'alert', 'payment', 'run', 'voucher', 'class', 'institution'].some(
                (k) => JSON.stringify(res.body).includes(real[k]!),
              ) &&
              (!wrote || row.logged.startsWith('yes'))
            : res.status === Number(outcome) &&
              !wrote &&
              // Refused by the scope check, not by something else the request got wrong.
              (outcome !== '403' || scopeReason.test(res.body?.reason ?? ''))
        if (!held)
          failures.push(
            `${route.name} ${probe.what}: ${res.status}${wrote ? ', wrote' : ''} ${JSON.stringify(res.body?.detail ?? '')}`,
          )
        // A logged read appends, and the detectors may answer it with an alert: let them, before the next probe.
        if (wrote) await caughtUp(sys)
      }
    }
    expect(failures).toEqual([])
    // Unprobed are exactly the rows with no scope inside the role: public register, catalogue and
    // rules in force (`any`), the audit log's hashes (`log`), and the access log auditors read
    // for any worker (`any`).
    expect(unprobed.sort()).toEqual(
      routes
        .filter((r) => rows.get(r.name)!.bounds.every((b) => b === 'any' || b === 'log'))
        .map((r) => r.name)
        .sort(),
    )
    expect(probes).toBeGreaterThan(80)
  }, 120_000)

  it('lets a claim or class export cite a case that concerns it: its worker, its institution', async () => {
    const auditor: Who = { sub: 'auditor-13', role: 'auditor', region: '13' }
    const exported = async (what: string, c: string) =>
      (await sys.http.get(`/v1/audit/exports/${what}?purpose=fraud_case&case=${c}`, auditor)).status
    expect(await exported(`claims/${real.claim}`, real.case!)).toBe(200)
    expect(await exported(`classes/${real.class}`, real.institutionCase!)).toBe(200)
    expect(await exported(`claims/${real.claim}`, real.institutionCase!)).toBe(403)
    expect(await exported(`classes/${real.class}`, real.case!)).toBe(403)
  })
})

interface Probe {
  what: string
  who: Who
  query?: string
  body?: Record<string, unknown>
}

/** The reasons a scope check gives (`packages/fastify-kit/src/principal.ts`, `packages/command/src/cited-case.ts`). */
const scopeReason = /^(another (region|institution|class)|cited case .+)$/

/** Lists and files that answer for a region the caller names, asked for the record's region. */
const askingRegion: Record<string, string> = {
  'GET /v1/compliance/payments': '?region=130102',
  'GET /v1/compliance/kpis': '?region=130102',
  'GET /v1/compliance/plan-progress': '?region=130102&quarter=2021Q2',
  'GET /v1/oversight/alerts': '?region=130102',
  'GET /v1/oversight/sampling-runs': '?region=130102',
  'GET /v1/classes': '?region=130102',
  'GET /v1/enrolments': '?region=130102',
  'GET /v1/institutions': '?region=130102',
  'GET /v1/rule-sets': '?region=130102',
  'GET /v1/objections': '?region=130102',
  'GET /v1/oversight/annual-reports/missing': '?year=2020&region=130102',
  'POST /v1/compliance/reconciliation': '?region=130102',
}

/** Every role a token may name a region for: each is bounded by it (`inRegionScope`). */
const regionNaming = [
  'subsidy_officer',
  'finance',
  'reviewer',
  'assessor',
  'investigator',
  'card_service',
  'auditor',
  'admin',
]

/**
 * Rows whose body names the region of a thing that already exists (a rule set governs one): a
 * token of the same province but another city, naming its own region in the body, is refused
 * too: the scope is the thing's region, not the one the caller writes.
 */
const bodyNamesRegion: Record<string, Record<string, unknown>> = {
  'POST /v1/rule-sets/{id}/versions': {
    ruleSet: { ...recordRuleSet, region: '130200', validFrom: '2027-06-01' },
  },
  'POST /v1/rule-sets/{id}/withdrawal': { region: '130200' },
}

/** The out-of-scope callers for a row, one set per kind in its `bound by` column. */
function outside(route: Route, row: Row, real: ScopedRecord): Probe[] {
  const probes: Probe[] = []
  const has = (role: string) => route.roles.includes(role as never)
  // Reads that take their purpose in the query state one a token of the role may use.
  const caseQuery = (c: string) =>
    route.name === 'GET /v1/oversight/claims/{claim}/trace' ? `?case=${c}` : `?purpose=fraud_case&case=${c}`
  const query = route.path.startsWith('/v1/audit/exports/')
    ? route.path.endsWith('{region}')
      ? '?purpose=audit&from=2021-01-01T00:00:00Z&to=2021-12-31T00:00:00Z'
      : caseQuery(real.case!)
    : askingRegion[route.name]
  for (const bound of row.bounds) {
    if (bound === 'institution' && has('institution_staff'))
      probes.push({
        what: 'as staff of another institution',
        who: { sub: 'staff-other', role: 'institution_staff', institution: 'inst-440100-0001' },
        query,
      })
    if (bound === 'class' && has('device'))
      probes.push({
        what: 'as a device of another class',
        who: { sub: 'dev-other', role: 'device', device: 'dev-other', class: 'cls-other' },
        query,
        // A batch signed by the class's own device, sent by another class's device.
        ...(route.name === 'POST /v1/face-check-batches' ? { body: { jws: real.batch } } : {}),
      })
    if (bound === 'region')
      for (const role of route.roles.filter((r) => regionNaming.includes(r))) {
        probes.push({
          what: `as ${role} of 44`,
          who: { sub: `${role}-44`, role, region: '44' },
          query,
          ...(asRole(real)[route.name]?.[role] ? { body: asRole(real)[route.name]![role] } : {}),
        })
        const own = bodyNamesRegion[route.name]
        if (own)
          probes.push({
            what: `as ${role} of 1302 naming its own region in the body`,
            who: { sub: `${role}-1302`, role, region: '1302' },
            body: own,
          })
      }
    // A worker's own view: the token of another worker (signed in as themselves) reaches nothing
    // of this one's: their own empty archive, log and objections, and no objection to this one's class.
    if (bound === 'self')
      probes.push({
        what: 'as another worker',
        who: { sub: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', role: 'worker' },
        ...(route.name === 'POST /v1/me/objections'
          ? { body: { entry: { kind: 'training', id: real.class }, reason: '不是我的班' } }
          : {}),
      })
    if (bound === 'case')
      for (const [why, c] of [
        ['closed', real.closedCase!],
        ['of another region', real.elsewhereCase!],
        ['about someone else', real.unrelatedCase!],
      ] as const) {
        const role = route.roles.includes('investigator' as never) ? 'investigator' : route.roles[0]!
        const who = { sub: `${role}-13`, role, region: '13' }
        if (route.name === 'POST /v1/archive/lookup')
          probes.push({
            what: `citing a case ${why}`,
            who,
            body: { cardNumber: real.cardNumber, purpose: 'fraud_case', caseRef: c },
          })
        else probes.push({ what: `citing a case ${why}`, who, query: caseQuery(c) })
      }
  }
  return probes
}

/** What a role of the row sends where the example is what another of its roles sends. */
const asRole = (real: ScopedRecord): Record<string, Record<string, Record<string, unknown>>> => ({
  // The example is a card service's; an investigator reads for an inspection (no case needed).
  'POST /v1/archive/lookup': {
    card_service: { cardNumber: real.cardNumber, purpose: 'card_holder_request' },
    investigator: { cardNumber: real.cardNumber, purpose: 'supervision_inspection' },
  },
  // The example is a provider's claim; an officer claims on a worker's behalf, paid to the worker.
  'POST /v1/claims': { subsidy_officer: { ...skillUpgradeClaim(real.worker!), class: undefined } },
})

/** Body fields that point a route's example at the record where replacing ghost ids is not enough. */
const recordBodies = (real: ScopedRecord): Record<string, Record<string, unknown>> => ({
  // The voucher is found in its worker's stream, named by card number.
  'POST /v1/vouchers/{voucher}/expiry': { cardNumber: real.cardNumber },
  'POST /v1/vouchers/{voucher}/claim': { cardNumber: real.cardNumber },
  'POST /v1/rule-sets/{id}/versions': { ruleSet: { ...recordRuleSet, validFrom: '2027-06-01' } },
})

/** A route's example body pointed at the record: its ghost worker, class and claim replaced by real ones. */
function onRecord(example: unknown, real: ScopedRecord, override?: Record<string, unknown>): unknown {
  let text = JSON.stringify(example)
  for (const key of ['claim', 'worker', 'class']) text = text.replaceAll(`"${ghost[key]}"`, `"${real[key]}"`)
  return { ...(JSON.parse(text) as object), ...override }
}

/** The finance file that pays the record's claim (the reconciliation's CSV). */
const csvOnRecord = (real: ScopedRecord) =>
  `payment_ref,claim,payee_kind,payee_id,amount_fen\r\n${real.paymentRef},${real.claim},worker,${real.worker},150000\r\n`
