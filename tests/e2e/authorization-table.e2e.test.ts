// SECURITY.md's authorization table against the running app: every route of the served OpenAPI
// document has a row, each row's roles are the ones the route declares, and every role outside
// the row is refused 403 with nothing written.
import { readFileSync } from 'node:fs'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimedRecord } from './support/claimed.ts'
import type { Who } from './support/client.ts'
import { caller, exampleBodies, ghost, nonJsonBodies } from './support/example-requests.ts'
import type { JsonSchema } from './support/invalid-bodies.ts'
import { accepted, batchOf, card, type Device, enrol, faceCheck, registerDevice } from './support/record.ts'
import { otherRoles, type Route, routesOf, urlOf } from './support/routes.ts'
import { embeddedSystem, type System } from './support/system.ts'

interface Row {
  roles: string[]
  /** What bounds a token inside its role: `any`, `log`, `region`, `institution`, `class`, `case`. */
  bounds: string[]
  scope: string
  logged: string
}

const boundKinds = ['any', 'log', 'region', 'institution', 'class', 'case']

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

  /** Path values that name things on the record (a class, worker, claim and open case of 130102). */
  let real: Record<string, string>

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    real = await record(sys)
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
    // cited case that is closed, of another region, or about someone else.
    const failures: string[] = []
    let probes = 0
    // Routes whose body has no example here (rule sets: a whole rulebook draft), whose body is not
    // JSON (reconciliation's CSV), or whose path names something this record lacks (vouchers, alerts,
    // sampling runs, payments, checkpoints) are probed against ghosts by the tests above; a claim's
    // trace reads the oversight read model, which this suite does not run.
    const probed = routes.filter(
      (r) =>
        r.name !== 'GET /v1/oversight/claims/{claim}/trace' &&
        (!r.body || examples[r.name] !== undefined) &&
        nonJsonBodies[r.name] === undefined &&
        r.params.every((p) => real[p] !== ghost[p]),
    )
    for (const route of probed) {
      const row = rows.get(route.name)!
      const outcome = /outside: (\d{3}|filtered)/.exec(row.scope)?.[1] ?? '403'
      for (const probe of outside(route, row, real)) {
        probes++
        const before = await sys.store.lastPosition()
        const res = await sys.http.call(
          route.method,
          `${urlOf(route, real)}${probe.query ?? ''}`,
          probe.who,
          route.body ? onRecord(examples[route.name], real, probe.body) : undefined,
        )
        const wrote = (await sys.store.lastPosition()) !== before
        const held =
          outcome === 'filtered'
            ? res.status === 200 &&
              !['claim', 'case', 'serial'].some((k) => JSON.stringify(res.body).includes(real[k]!)) &&
              (!wrote || row.logged.startsWith('yes'))
            : res.status === Number(outcome) && !wrote
        if (!held)
          failures.push(
            `${route.name} ${probe.what}: ${res.status}${wrote ? ', wrote' : ''} ${JSON.stringify(res.body?.detail ?? '')}`,
          )
      }
    }
    expect(failures).toEqual([])
    expect(probes).toBeGreaterThan(60)
  })

  it('lets a claim or class export cite a case that concerns it: its worker, its institution', async () => {
    const auditor: Who = { sub: 'auditor-13', role: 'auditor', region: '13' }
    const exported = async (what: string, c: string) =>
      (await sys.http.get(`/v1/audit/exports/${what}?purpose=fraud_case&case=${c}`, auditor)).status
    // Past the case check, the export stops at the log: nothing is signed in this suite (404).
    expect(await exported(`claims/${real.claim}`, real.case!)).toBe(404)
    expect(await exported(`classes/${real.class}`, real.institutionCase!)).toBe(404)
    expect(await exported(`claims/${real.claim}`, real.institutionCase!)).toBe(403)
    expect(await exported(`classes/${real.class}`, real.case!)).toBe(403)
  })
})

/** A small record of 130102 for the scope probes: institution, class, device, worker, certificate, claim, cases. */
async function record(sys: System): Promise<Record<string, string>> {
  const { http } = sys
  let device: Device | undefined
  let other = ''
  let batch = ''
  const { institution, cls, worker, serial, claim } = await claimedRecord(sys, async (opened, enrolled) => {
    device = await registerDevice(http, opened, 'dev-fc-0042')
    batch = await device.sign(batchOf(device, 'batch-0042-1', [faceCheck(enrolled, opened.sessions[0]!)]))
    other = await enrol(http, opened, card(102), '2021-03-01T08:41:00+08:00')
  })
  const investigator: Who = { sub: 'inv-1301', role: 'investigator', region: '1301' }
  // Cases are idempotent by content without an Idempotency-Key: each one here has its own title.
  const openCase = async (
    who: Who,
    region: string,
    subject: string,
    kind = 'worker',
    title = '学员补贴线索',
  ) =>
    accepted(
      await http.post('/v1/oversight/cases', who, {
        title,
        region,
        basis: 'tip_off',
        subjects: [{ kind, id: subject }],
      }),
    ).case as string
  const open = await openCase(investigator, '130102', worker)
  const closed = await openCase(investigator, '130102', worker, 'worker', '学员补贴线索（已结案）')
  accepted(
    await http.post(`/v1/oversight/cases/${closed}/closure`, investigator, {
      outcome: 'unsubstantiated',
      note: '查无实据',
    }),
  )
  const elsewhere = await openCase(
    { sub: 'inv-4401', role: 'investigator', region: '4401' },
    '440106',
    worker,
  )
  const unrelated = await openCase(investigator, '130102', other)
  const aboutInstitution = await openCase(investigator, '130102', institution, 'institution')
  return {
    ...ghost,
    institution,
    class: cls.id,
    device: device!.id,
    worker,
    claim,
    case: open,
    closedCase: closed,
    elsewhereCase: elsewhere,
    unrelatedCase: unrelated,
    institutionCase: aboutInstitution,
    cardNumber: card(101),
    batch,
    issuer: 'eval-130000-0009',
    serial,
    region: '130102',
  }
}

interface Probe {
  what: string
  who: Who
  query?: string
  body?: Record<string, unknown>
}

/** Lists that answer for a region the caller names, asked for the record's region. */
const askingRegion: Record<string, string> = {
  'GET /v1/compliance/payments': '?region=130102',
  'GET /v1/compliance/kpis': '?region=130102',
  'GET /v1/compliance/plan-progress': '?region=130102&quarter=2021Q2',
  'GET /v1/oversight/alerts': '?region=130102',
}

const regionBound = ['subsidy_officer', 'finance', 'reviewer', 'assessor', 'investigator', 'card_service']

/** The out-of-scope callers for a row, one set per kind in its `bound by` column. */
function outside(route: Route, row: Row, real: Record<string, string>): Probe[] {
  const probes: Probe[] = []
  const has = (role: string) => route.roles.includes(role as never)
  // Reads that take their purpose in the query state one a token of the role may use.
  const exportQuery = (c: string) => `?purpose=fraud_case&case=${c}`
  const query = route.path.startsWith('/v1/audit/exports/')
    ? route.path.endsWith('{region}')
      ? '?purpose=audit&from=2021-01-01&to=2021-12-31'
      : exportQuery(real.case!)
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
      for (const role of route.roles.filter((r) => regionBound.includes(r)))
        probes.push({ what: `as ${role} of 44`, who: { sub: `${role}-44`, role, region: '44' }, query })
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
        else probes.push({ what: `citing a case ${why}`, who, query: exportQuery(c) })
      }
  }
  return probes
}

/** A route's example body pointed at the record: its ghost worker, class and claim replaced by real ones. */
function onRecord(
  example: unknown,
  real: Record<string, string>,
  override?: Record<string, unknown>,
): unknown {
  let text = JSON.stringify(example)
  for (const key of ['claim', 'worker', 'class']) text = text.replaceAll(`"${ghost[key]}"`, `"${real[key]}"`)
  return { ...(JSON.parse(text) as object), ...override }
}
