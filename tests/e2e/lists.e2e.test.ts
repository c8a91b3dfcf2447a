// The lists people work from, over the composed app with its read side running: claims (with what
// each lacks for payment, by the payment gate itself), alerts, cases, payments, classes, enrolments,
// institutions, sampling runs and rule sets, each paged by
// an opaque cursor and bounded by the token; a cursor edited, made up, or from another list, and
// a limit over 200, are a problem+json 400 naming the field, on every list the OpenAPI document
// names (checkpoints and the access log too); reading what a claim lacks, or one worker's claims,
// is an access event of that worker.

import { decodeRecorded } from '@trec/contracts'
import { cursorCodec } from '@trec/core'
import { cursorKeyOf } from '@trec/fastify-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaseworkRecord, caseworkRecord } from './support/casework.ts'
import { caughtUp } from './support/caught-up.ts'
import type { Who } from './support/client.ts'
import type { JsonSchema } from './support/invalid-bodies.ts'
import { accepted, card, people } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const auditor = { sub: 'auditor-1', role: 'auditor' } as const
const investigator = { sub: 'inv-1', role: 'investigator', region: '1301' } as const

describe('lists: claims, alerts, cases, payments and the training registry, paged and bounded by the token', () => {
  let sys: System
  let rec: CaseworkRecord

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    rec = await caseworkRecord(sys, [card(201), card(202)])
    await caughtUp(sys)
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
  })

  const accessEvents = async (worker: string) =>
    (await sys.store.readStream(`access-${worker}`))
      .map((r) => decodeRecorded(r))
      .filter((e) => e.type === 'RecordAccessed')

  it('shows institution staff their own claims, each with what it still lacks for payment, and logs that read', async () => {
    const staff = people.staff(rec.institution)
    const before = (await accessEvents(rec.workers[0])).length
    const page = accepted(await sys.http.get('/v1/claims?lacks=true', staff), 200)
    expect(page.items.map((c: { claim: string }) => c.claim).sort()).toEqual([...rec.claims].sort())
    for (const item of page.items) {
      expect(item).toMatchObject({ institution: rec.institution, status: 'submitted', payeeKind: 'provider' })
      expect(item.amounts.claimed).toBe(220_000)
      // Just submitted through the same gate: nothing lacking yet.
      expect(item.lacks).toEqual([])
    }
    const logged = await accessEvents(rec.workers[0])
    expect(logged.length).toBe(before + 1)
    expect(logged.at(-1)!.data).toMatchObject({ view: 'claim' })

    // The institution is delisted: the gate would now refuse to pay, and the list says why.
    accepted(
      await sys.http.post(`/v1/institutions/${rec.institution}/delisting`, people.officer, {
        reason: 'false_training',
        note: '虚假培训',
      }),
    )
    const after = accepted(await sys.http.get('/v1/claims?lacks=true', staff), 200)
    for (const item of after.items)
      expect(item.lacks.map((l: { rule: string }) => l.rule)).toContain('institution-delisted')

    // Another institution's staff see none of them, and may not ask for them.
    const other = people.staff('inst-130100-0999')
    expect(accepted(await sys.http.get('/v1/claims', other), 200).items).toEqual([])
    expect((await sys.http.get(`/v1/claims?institution=${rec.institution}`, other)).status).toBe(403)
  })

  it("pages claims by cursor inside the token's region, and logs a list filtered to one worker", async () => {
    const first = accepted(await sys.http.get('/v1/claims?limit=1', people.officer), 200)
    expect(first.items).toHaveLength(1)
    expect(first.items[0].lacks).toBeUndefined()
    const second = accepted(
      await sys.http.get(`/v1/claims?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`, people.officer),
      200,
    )
    expect(second.items).toHaveLength(1)
    expect(second.items[0].claim).not.toBe(first.items[0].claim)
    expect(second.nextCursor).toBeUndefined()
    const baoding = { sub: 'officer-bd', role: 'subsidy_officer', region: '1306' } as const
    expect(accepted(await sys.http.get('/v1/claims', baoding), 200).items).toEqual([])

    const before = (await accessEvents(rec.workers[1])).length
    const one = accepted(await sys.http.get(`/v1/claims?worker=${rec.workers[1]}`, investigator), 200)
    expect(one.items.map((c: { claim: string }) => c.claim)).toEqual([rec.claims[1]])
    expect((await accessEvents(rec.workers[1])).length).toBe(before + 1)
  })

  it('lists the alert queue and cases by cursor; a case opened twice without a key is one case', async () => {
    const alerts = accepted(await sys.http.get('/v1/oversight/alerts?status=open', investigator), 200)
    expect(alerts.items.some((a: { rule: string }) => a.rule === 'R6')).toBe(true)
    const body = {
      title: '同一人脸两张卡',
      region: '130102',
      basis: 'alert',
      alerts: [alerts.items[0].alert],
    }
    const a = accepted(await sys.http.post('/v1/oversight/cases', investigator, body))
    const b = accepted(await sys.http.post('/v1/oversight/cases', investigator, body))
    expect(b).toEqual(a)
    await caughtUp(sys)
    const cases = accepted(await sys.http.get('/v1/oversight/cases', investigator), 200)
    expect(cases.items.filter((c: { case: string }) => c.case === a.case)).toHaveLength(1)
    expect(cases.items[0]).toMatchObject({ case: a.case, openedAt: expect.any(String), basis: 'alert' })
  })

  it('shows institution staff their classes and enrolments, logs each worker an enrolment page names, and draws sampling runs into a list', async () => {
    const staff = people.staff(rec.institution)
    const classes = accepted(await sys.http.get('/v1/classes', staff), 200)
    expect(classes.items).toEqual([
      expect.objectContaining({
        class: rec.cls.id,
        institution: rec.institution,
        status: 'opened',
        enrolled: 2,
      }),
    ])
    expect(classes.total).toBe(1)
    const before = await Promise.all(rec.workers.map(async (w) => (await accessEvents(w)).length))
    const enrolments = accepted(await sys.http.get(`/v1/enrolments?class=${rec.cls.id}`, staff), 200)
    expect(enrolments.items.map((e: { worker: string }) => e.worker).sort()).toEqual([...rec.workers].sort())
    for (const [i, worker] of rec.workers.entries()) {
      const logged = await accessEvents(worker)
      expect(logged.length).toBe(before[i]! + 1)
      expect(logged.at(-1)!.data).toMatchObject({ view: 'enrolment' })
    }
    const institutions = accepted(await sys.http.get('/v1/institutions', staff), 200)
    expect(institutions.items.map((i: { institution: string }) => i.institution)).toEqual([rec.institution])

    // Another institution's staff see none of them, and may not ask for them.
    const other = people.staff('inst-130100-0999')
    expect(accepted(await sys.http.get('/v1/classes', other), 200).items).toEqual([])
    expect(accepted(await sys.http.get('/v1/enrolments', other), 200).items).toEqual([])
    expect((await sys.http.get(`/v1/enrolments?institution=${rec.institution}`, other)).status).toBe(403)
    // Nor does an officer of another city.
    const baoding = { sub: 'officer-bd', role: 'subsidy_officer', region: '1306' } as const
    expect(accepted(await sys.http.get('/v1/classes', baoding), 200).total).toBe(0)

    const drawn: string[] = []
    for (const to of ['2021-06-30', '2021-12-31'])
      drawn.push(
        accepted(
          await sys.http.post('/v1/oversight/sampling-runs', investigator, {
            population: { kind: 'classes', region: '130102', from: '2021-01-01', to },
            size: 1,
          }),
        ).run,
      )
    await caughtUp(sys)
    const runs = accepted(await sys.http.get('/v1/oversight/sampling-runs', investigator), 200)
    expect(runs.items.map((r: { run: string }) => r.run).sort()).toEqual(drawn.sort())
    expect(runs.items[0]).toMatchObject({ population: { kind: 'classes', region: '130102' } })
    const sets = accepted(await sys.http.get('/v1/rule-sets', people.officer), 200)
    expect(sets.total).toBeGreaterThan(0)
    expect(sets.items[0].ruleSet).toMatchObject({ id: expect.any(String), version: expect.any(Number) })
  })

  // Every list the app serves, by the GET operations of its OpenAPI document that take a `limit`
  // or a `cursor`: who reads it, what else its query needs, and the name its cursors carry. A list
  // added to the app without a row here fails the first assertion below.
  const lists = (): Record<string, { who: Who; query?: string; list?: string }> => ({
    'GET /v1/claims': { who: people.officer, list: 'claims' },
    'GET /v1/sanction-reviews': { who: people.officer, list: 'sanction-reviews' },
    'GET /v1/publications': { who: people.officer, list: 'publications' },
    'GET /v1/recoveries': { who: people.officer, list: 'recoveries' },
    'GET /v1/compliance/payments': { who: auditor, list: 'payments' },
    'GET /v1/oversight/alerts': { who: investigator, list: 'alerts' },
    'GET /v1/oversight/cases': { who: investigator, list: 'cases' },
    'GET /v1/audit/checkpoints': { who: auditor, list: 'checkpoints' },
    'GET /v1/archive/access-log': { who: auditor, query: `worker=${rec.workers[0]}`, list: 'access-log' },
    'GET /v1/classes': { who: people.officer, list: 'classes' },
    'GET /v1/enrolments': { who: people.officer, list: 'enrolments' },
    'GET /v1/institutions': { who: people.officer, list: 'institutions' },
    'GET /v1/oversight/sampling-runs': { who: investigator, list: 'sampling-runs' },
    'GET /v1/rule-sets': { who: people.officer, list: 'rule-sets' },
    // Supervision instruments (告知承诺, 年度报告, 双随机 results published).
    'GET /v1/oversight/commitment-checks/overdue': { who: investigator, list: 'overdue-commitments' },
    'GET /v1/oversight/annual-reports/missing': {
      who: investigator,
      query: 'year=2020',
      list: 'missing-annual-reports',
    },
    'GET /v1/oversight/published-inspections': { who: people.officer, list: 'published-inspections' },
    'GET /v1/objections': { who: people.officer, list: 'objections' },
    'GET /v1/me/objections': { who: { sub: rec.workers[0]!, role: 'worker' }, list: 'my-objections' },
    'GET /v1/me/access-log': { who: { sub: rec.workers[0]!, role: 'worker' }, list: 'access-log' },
    // The effective-dated catalogues, each of the region and the divisions above it.
    ...Object.fromEntries(
      ['programmes', 'institutions', 'evaluation-bodies', 'shortage-occupations'].map((slug) => [
        `GET /v1/catalogues/${slug}`,
        { who: people.officer, query: 'region=130102', list: `catalogue-${slug}` },
      ]),
    ),
  })

  it("refuses, on every list, with problem+json 400 naming the field, another list's cursor, a forged one, and a limit over 200", async () => {
    const doc = (await sys.http.get('/docs/json', undefined)).body as JsonSchema
    const paged = Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations)
          .filter(
            ([verb, op]) =>
              ((op.parameters ?? []) as JsonSchema[]).some(
                (p) => p.in === 'query' && (p.name === 'cursor' || p.name === 'limit'),
              ) && verb === 'get',
          )
          .map(([verb]) => `${verb.toUpperCase()} ${path}`),
    )
    const table = lists()
    expect(paged.sort(), 'a list the app serves is missing from this table').toEqual(
      Object.keys(table).sort(),
    )

    const url = (route: string, extra: string) => {
      const query = [table[route]!.query, extra].filter(Boolean).join('&')
      return `${route.slice('GET '.length)}?${query}`
    }
    const refused = async (route: string, extra: string, field: string) => {
      const res = await sys.http.get(url(route, extra), table[route]!.who)
      expect(res.status, `${route} ${extra}`).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(
        (res.body.errors as { path: string[] }[]).some((e) => e.path.includes(field)),
        `${route} ${extra}: ${res.text}`,
      ).toBe(true)
    }

    // A cursor each list really gave (a first page of one), where it has a second page.
    const given = new Map<string, string>()
    for (const [route, { list }] of Object.entries(table)) {
      if (!list) continue
      const first = accepted(await sys.http.get(url(route, 'limit=1'), table[route]!.who), 200)
      if (first.nextCursor) given.set(list, first.nextCursor as string)
    }
    expect(given.has('claims')).toBe(true)
    // A second list's cursor for the claims list: one that list gave, or as its pager would write it.
    const otherThanClaims =
      [...given].find(([list]) => list !== 'claims')?.[1] ??
      cursorCodec('alerts', cursorKeyOf(sys.pseudonymSecret)).encode(['1'])

    for (const [route, { list }] of Object.entries(table)) {
      await refused(route, 'limit=201', 'limit')
      if (!list) continue
      const fromAnother = list === 'claims' ? otherThanClaims : given.get('claims')!
      const own = given.get(list)
      const [, tag] = (own ?? fromAnother).split('.')
      const forged = [
        // Made up, with a tag taken from a real cursor.
        `${Buffer.from(JSON.stringify({ list, after: ['9'] })).toString('base64url')}.${tag}`,
        'x.y',
        'not-a-cursor',
        // A real cursor of this list, its position edited.
        ...(own
          ? [
              `${Buffer.from(JSON.stringify({ list, after: ['0'] })).toString('base64url')}.${own.split('.')[1]}`,
            ]
          : []),
      ]
      for (const cursor of [fromAnother, ...forged])
        await refused(route, `cursor=${encodeURIComponent(cursor)}`, 'cursor')
    }
  })
})
