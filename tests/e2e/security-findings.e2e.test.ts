// Issue 20: the holes found by probing the running server with valid tokens, one test each
// (SECURITY.md, "Findings of the token-holder probe"). Each failed on the code before the fix.
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeRecorded } from '@trec/contracts'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import { claimedRecord } from './support/claimed.ts'
import type { Who } from './support/client.ts'
import { caller, exampleBodies, ghost } from './support/example-requests.ts'
import type { JsonSchema } from './support/invalid-bodies.ts'
import { accepted, card, people } from './support/record.ts'
import { routesOf, urlOf } from './support/routes.ts'
import { embeddedSystem, type System } from './support/system.ts'

describe('issue 20: reads and writes outside the token’s scope (embedded store)', () => {
  let sys: System
  let worker: string
  let claim: string

  const accessLog = async (w: string) =>
    (await sys.store.readStream(`access-${w}`)).map((e) => decodeRecorded(e) as never as AccessEvent)

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'))
    ;({ worker, claim } = await decidedClaim(sys))
  }, 120_000)

  afterAll(async () => {
    await sys?.close()
  })

  it('finding 1: an investigator of another region may not read a claim; every read is an access event', async () => {
    const before = (await accessLog(worker)).length
    const elsewhere = await sys.http.get(`/v1/claims/${claim}`, {
      sub: 'inv-4401',
      role: 'investigator',
      region: '4401',
    })
    expect(elsewhere.status).toBe(403)
    expect(elsewhere.headers['content-type']).toMatch(/^application\/problem\+json/)
    const here = await sys.http.get(`/v1/claims/${claim}`, {
      sub: 'inv-13',
      role: 'investigator',
      region: '13',
    })
    expect(here.status).toBe(200)
    const officer = await sys.http.get(`/v1/claims/${claim}`, people.officer)
    expect(officer.status).toBe(200)
    const logged = (await accessLog(worker)).slice(before)
    expect(logged.map((e) => [e.type, e.data.view, e.actor.id, e.data.purpose, e.data.flags])).toEqual([
      ['RecordAccessed', 'claim', 'inv-13', 'supervision_inspection', ['no_case_ref']],
      ['RecordAccessed', 'claim', people.officer.sub, 'administration', []],
    ])
  })

  it('finding 2: a worker’s certificates are bounded by the token’s region, and the read is logged', async () => {
    const before = (await accessLog(worker)).length
    const url = `/v1/workers/${worker}/certificates`
    const far = await sys.http.get(url, { sub: 'assessor-44', role: 'assessor', region: '44' })
    expect(far.status).toBe(200)
    expect(far.body.certificates).toEqual([])
    const near = await sys.http.get(url, people.assessor)
    expect(near.body.certificates).toHaveLength(1)
    const regionless = await sys.http.get(url, { sub: 'officer-x', role: 'subsidy_officer' })
    expect(regionless.status).toBe(403)
    const logged = (await accessLog(worker)).slice(before)
    expect(logged.map((e) => [e.data.view, e.actor.id, e.data.found])).toEqual([
      ['certificates', 'assessor-44', false],
      ['certificates', people.assessor.sub, true],
    ])
  })

  it('finding 4: a card number typed into a free-text or client-chosen field is refused naming the field', async () => {
    const number = card(777)
    const spellings = [
      number,
      `${number.slice(0, 6)} ${number.slice(6, 14)} ${number.slice(14)}`,
      `${number.slice(0, 6)}-${number.slice(6)}`,
      [...number].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''),
      `身份证号${number}`,
    ]
    const before = await sys.store.lastPosition()
    for (const spelled of spellings) {
      const res = await sys.http.post(`/v1/claims/${claim}/reviews`, people.reviewer, {
        outcome: 'rejected',
        reasons: [`材料不全，见 ${spelled}`],
      })
      expect(res.status, spelled).toBe(400)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.body.errors.map((e: { path: string[] }) => e.path.join('.'))).toContain('body.reasons.0')
      const keyed = await sys.http.post(
        `/v1/claims/${claim}/reviews`,
        people.reviewer,
        { outcome: 'approved' },
        { 'idempotency-key': number },
      )
      expect(keyed.status).toBe(400)
    }
    expect(await sys.store.lastPosition()).toBe(before)
    expect(everything(await sys.store.readAll({ maxCount: 100_000 }))).not.toContain(number)
  })

  it('finding 4: every route refuses a card number in every free-text and client-chosen field, and no table holds one', async () => {
    const number = card(779)
    const spaced = `${number.slice(0, 6)} ${number.slice(6, 14)} ${number.slice(14)}`
    const before = await sys.store.lastPosition()
    const { failures, probes } = await typeIntoEveryField(sys, spaced, number)
    expect(failures).toEqual([])
    expect(probes).toBeGreaterThan(100)
    expect(await sys.store.lastPosition()).toBe(before)
    const rows = await allRows(sys.sql)
    for (const spelling of [number, spaced, card(777), card(778)]) expect(rows).not.toContain(spelling)
    // Nor is any enrolled person's card number, name or phone anywhere in clear.
    for (const personal of [card(101), '张建国', '13912345678']) expect(rows).not.toContain(personal)
  })

  it('finding 4: request ids are the server’s own unless the client’s is a UUID or ULID', async () => {
    const number = card(778)
    const uuid = '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a'
    const ulid = '01HZY3M8Q5T0V6W7X8Y9Z0A1B2'
    for (const [sent, kept] of [
      [number, false],
      [uuid, true],
      [ulid, true],
      ['req-abc-123', false],
    ] as const) {
      const res = await sys.http.call('GET', `/v1/claims/${claim}`, people.officer, undefined, {
        'x-request-id': sent,
      })
      expect(res.status).toBe(200)
      const last = (await accessLog(worker)).at(-1)!
      expect(last.data.requestId === sent, sent).toBe(kept)
    }
    expect(everything(await sys.store.readAll({ maxCount: 100_000 }))).not.toContain(number)
  })

  it('finding 6: an idempotent answer is never replayed to another principal that shares the subject', async () => {
    const shared = (institution: string): Who => ({
      sub: 'shared-sub',
      role: 'institution_staff',
      institution,
    })
    const key = 'same-key-0001'
    const body = { worker, class: 'cls-ghost' }
    const first = await sys.http.post('/v1/completions', shared('inst-130100-0042'), body, {
      'idempotency-key': key,
    })
    const second = await sys.http.post('/v1/completions', shared('inst-130100-0099'), body, {
      'idempotency-key': key,
    })
    // Each ran on its own (the class does not exist for either); the second is no replay of the first.
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(second.headers['idempotent-replayed']).toBeUndefined()
    const again = await sys.http.post('/v1/completions', shared('inst-130100-0042'), body, {
      'idempotency-key': key,
    })
    expect(again.status).toBe(first.status)
  })

  it('finding 7: a payment account sealed under another worker’s key, or not sealed at all, is refused', async () => {
    const before = await sys.store.lastPosition()
    const foreign = await sys.keyRing.seal(
      '1c3e5a7b9d0f2e4c6a8b0d2f4e6a8c0e',
      'account.bankAccount',
      '6217000130000123456',
    )
    for (const bankAccount of [
      foreign,
      { ...foreign, kid: worker },
      { sealed: 'A256GCM', kid: worker, iv: 'AAAAAAAAAAAAAAAA', ct: 'QUJDREVGR0g=' },
    ]) {
      const res = await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, {
        paymentRef: 'FIN-2021-06-15-0009',
        account: { kind: 'ssc_card', bankAccount },
      })
      expect(res.status).toBe(400)
      expect(res.body.errors[0].path).toEqual(['body', 'account', 'bankAccount'])
    }
    // Sealed under this worker's key but not the account of the worker's card (持卡领补): 422.
    const notTheCard = await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, {
      paymentRef: 'FIN-2021-06-15-0009',
      account: {
        kind: 'ssc_card',
        bankAccount: await sys.keyRing.seal(worker, 'account.bankAccount', '6217000130000999999'),
      },
    })
    expect(notTheCard.status).toBe(422)
    expect(notTheCard.body.reasons[0].rule).toBe('card-account')
    expect(await sys.store.lastPosition()).toBe(before)
    const own = await sys.keyRing.seal(worker, 'account.bankAccount', '6217000130000123456')
    accepted(
      await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, {
        paymentRef: 'FIN-2021-06-15-0009',
        account: { kind: 'ssc_card', bankAccount: own },
      }),
    )
  })

  it('also: the CSV reconciliation route answers 415 to a JSON body without parsing it', async () => {
    const finance = await sys.http.token(people.finance)
    const res = await sys.app.inject({
      method: 'POST',
      url: '/v1/compliance/reconciliation',
      headers: { authorization: `Bearer ${finance}`, 'content-type': 'application/json' },
      // Not even JSON: had it been parsed, the answer would be 400.
      payload: `{"rows": [${'1,'.repeat(1000)}`,
    })
    expect(res.statusCode).toBe(415)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('also: a request with two Authorization headers is refused 400', async () => {
    const address = await sys.app.listen({ host: '127.0.0.1', port: 0 })
    const port = (sys.app.server.address() as AddressInfo).port
    expect(address).toContain(String(port))
    const mine = await sys.http.token(people.officer)
    const theirs = await sys.http.token({ sub: 'officer-9', role: 'subsidy_officer', region: '44' })
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: `/v1/claims/${claim}`,
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      // Two header lines of the same name, as a confused or malicious proxy might send.
      req.setHeader('authorization', [`Bearer ${theirs}`, `Bearer ${mine}`])
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(400)
  })
})

describe('issue 20: no card number, name or phone in clear in any table, with the read side projecting (embedded store)', () => {
  let sys: System
  let worker: string
  let claim: string

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    ;({ worker, claim } = await decidedClaim(sys))
  }, 120_000)

  afterAll(async () => {
    await sys?.close()
  })

  it('types card numbers into every free-text field, lets archive, compliance, oversight, access log and notary catch up, and scans every table of every schema', async () => {
    // Reads that the access log and its read model record.
    expect((await sys.http.get(`/v1/claims/${claim}`, people.officer)).status).toBe(200)
    expect((await sys.http.get(`/v1/workers/${worker}/certificates`, people.assessor)).status).toBe(200)
    // Paid, so compliance has a payment to hold.
    const bankAccount = await sys.keyRing.seal(worker, 'account.bankAccount', '6217000130000123456')
    accepted(
      await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, {
        paymentRef: 'FIN-2021-06-15-0011',
        account: { kind: 'ssc_card', bankAccount },
      }),
    )
    const auditor = { sub: 'auditor-1', role: 'auditor' } as const
    expect((await sys.http.get(`/v1/archive/access-log?worker=${worker}`, auditor)).status).toBe(200)
    const number = card(781)
    const fullWidth = [...number].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')
    const { failures, probes } = await typeIntoEveryField(sys, fullWidth, number)
    expect(failures).toEqual([])
    expect(probes).toBeGreaterThan(100)
    await caughtUp(sys)
    const filled = await tablesWithRows(sys.sql)
    // The read side did project: each read model holds rows (else the scan below proves nothing).
    for (const table of readModelTables)
      expect(
        filled.some((t) => table.test(t)),
        `${table} in ${filled.join(', ')}`,
      ).toBe(true)
    const rows = await allRows(sys.sql)
    for (const clear of [number, fullWidth, card(101), '张建国', '13912345678'])
      expect(rows).not.toContain(clear)
  }, 180_000)

  it('finding 5: a worker’s access log reads back after exports, case links and shredding', async () => {
    const auditor: Who = { sub: 'auditor-1', role: 'auditor' }
    const investigator: Who = { sub: 'investigator-13', role: 'investigator', region: '13' }
    await caughtUp(sys) // the notary has signed a checkpoint to export against
    const exported = await sys.http.get(`/v1/audit/exports/workers/${worker}?purpose=audit`, auditor)
    expect(exported.status, JSON.stringify(exported.body)).toBe(200)
    // A case about the worker, with evidence linked from the worker's own stream, then cited.
    const opened = accepted(
      await sys.http.post('/v1/oversight/cases', investigator, {
        title: '补贴申领核查',
        region: '130102',
        basis: 'tip_off',
        subjects: [{ kind: 'worker', id: worker }],
      }),
    ).case as string
    const evidence = (await sys.store.readStream(`subsidy-${worker}`))[0]!.id
    accepted(
      await sys.http.post(`/v1/oversight/cases/${opened}/evidence`, investigator, {
        evidence: [evidence],
        alerts: [],
        note: '申领记录',
      }),
    )
    const lookup = await sys.http.post('/v1/archive/lookup', investigator, {
      cardNumber: card(101),
      purpose: 'fraud_case',
      caseRef: opened,
    })
    expect(lookup.status, JSON.stringify(lookup.body)).toBe(200)
    const caseExport = await sys.http.get(
      `/v1/audit/exports/workers/${worker}?purpose=fraud_case&case=${opened}`,
      auditor,
    )
    expect(caseExport.status, JSON.stringify(caseExport.body)).toBe(200)
    // Crypto-shredding: the worker's key is deleted (an operator's act on the key store; no route).
    expect(await sys.keyRing.shred(worker)).toBe(true)
    expect((await sys.http.get(`/v1/claims/${claim}`, people.officer)).status).toBeLessThan(500)
    const log = await sys.http.get(`/v1/archive/access-log?worker=${worker}`, auditor)
    expect(log.status, JSON.stringify(log.body)).toBe(200)
    const stream = await sys.store.readStream(`access-${worker}`)
    const entries = log.body.items as { type: string; view: string; caseRef?: string }[]
    // Every entry of the stream up to this read reads back (the read itself is appended after it).
    expect(entries.length).toBe(stream.length - 1)
    expect(entries.filter((e) => e.type === 'RecordsExported')).toHaveLength(2)
    expect(entries.filter((e) => e.caseRef === opened).map((e) => e.view)).toEqual(['archive', 'export'])
  }, 120_000)
})

/** Read-model tables the scan must find filled: archive, compliance, oversight, access log, audit notary. */
// Each read model's tables, whatever version is live (a version is bumped whenever its tables change).
const readModelTables = [
  /^trec_read\.archive_v\d+_archives$/,
  /^trec_read\.archive_v\d+_worker_events$/,
  /^trec_read\.compliance_v\d+_payments$/,
  /^trec_read\.compliance_v\d+_worker_events$/,
  /^trec_read\.oversight_registry_v\d+_claims$/,
  /^trec_read\.oversight_registry_v\d+_roster$/,
  /^trec_audit\.leaves$/,
  /^trec_audit\.checkpoints$/,
]

/** `schema.table` of every table that holds at least one row. */
async function tablesWithRows(sql: System['sql']): Promise<string[]> {
  const tables = await sql.query<{ s: string; t: string }>(
    `select table_schema as s, table_name as t from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
  )
  const out: string[] = []
  for (const { s, t } of tables)
    if ((await sql.query(`select 1 from "${s}"."${t}" limit 1`)).length > 0) out.push(`${s}.${t}`)
  return out.sort()
}

/** A worker enrolled, certified and with a decided 技能提升补贴 claim (reviewed, approved), on 130100-0042. */
async function decidedClaim(sys: System): Promise<{ worker: string; claim: string }> {
  const { worker, claim } = await claimedRecord(sys)
  accepted(await sys.http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
  accepted(await sys.http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
  return { worker, claim }
}

/**
 * Types `text` (a card number, spelled somehow) into every free-text and client-chosen field of
 * every route that takes a body, and `number` into every path value: each must be refused 400
 * naming the field. Answers what was not.
 */
async function typeIntoEveryField(
  sys: System,
  text: string,
  number: string,
): Promise<{ failures: string[]; probes: number }> {
  const doc = (await sys.http.get('/docs/json', undefined)).body as JsonSchema
  const examples = exampleBodies(
    await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey),
  )
  const failures: string[] = []
  let probes = 0
  for (const route of routesOf(sys.app, doc).filter((r) => r.body)) {
    const example = examples[route.name]
    for (const path of textFields(example)) {
      probes++
      const body = replaced(example, path, `见 ${text} 号`)
      const res = await sys.http.call(route.method, urlOf(route, ghost), caller(route.roles[0]!), body)
      const named = (res.body?.errors ?? []).some(
        (e: { path: (string | number)[] }) => e.path.join('.') === ['body', ...path].join('.'),
      )
      if (res.status !== 400 || !named) failures.push(`${route.name} body.${path.join('.')}: ${res.status}`)
    }
    // Path values a client chooses are screened too.
    for (const param of route.params) {
      probes++
      const res = await sys.http.call(
        route.method,
        urlOf(route, { ...ghost, [param]: number }),
        caller(route.roles[0]!),
        example,
      )
      if (res.status !== 400) failures.push(`${route.name} params.${param}: ${res.status}`)
    }
  }
  return { failures, probes }
}

/** The store's events as one text, to search for what must not be there. */
const everything = (events: unknown[]) =>
  JSON.stringify(events, (_key, value) => (typeof value === 'bigint' ? String(value) : value))

/** Every string leaf of a JSON value with its path, except `cardNumber` fields and sealed values. */
function textFields(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return path.at(-1) === 'cardNumber' ? [] : [path]
  if (Array.isArray(value)) return value.flatMap((v, i) => textFields(v, [...path, i]))
  if (value !== null && typeof value === 'object' && (value as { sealed?: unknown }).sealed === undefined)
    return Object.entries(value).flatMap(([k, v]) => textFields(v, [...path, k]))
  return []
}

function replaced(value: unknown, path: (string | number)[], text: string): unknown {
  if (path.length === 0) return text
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, text) : v))
  const o = value as Record<string, unknown>
  return { ...o, [head!]: replaced(o[head!], rest, text) }
}

/** Every row of every table outside the catalogues, as text. */
async function allRows(sql: System['sql']): Promise<string> {
  const tables = await sql.query<{ s: string; t: string }>(
    `select table_schema as s, table_name as t from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
  )
  const out: string[] = []
  for (const { s, t } of tables)
    for (const row of await sql.query<{ r: string }>(`select x::text as r from "${s}"."${t}" x`))
      out.push(row.r)
  return out.join('\n')
}

interface AccessEvent {
  type: string
  actor: { kind: string; id: string }
  data: {
    view: string
    purpose: string
    flags: string[]
    found: boolean
    requestId: string
  }
}
