import { openTestCase } from '@trec/command/testing'
import { decodeRecorded } from '@trec/contracts'
import type { KeySet } from '@trec/merkle'
import { foldWorkerArchive } from '@trec/readmodels'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  allEvents,
  auditApp,
  checkpointKeyPair,
  notary,
  openLog,
  pinned,
  seedHistory,
  signing,
  verifyText,
} from './support.ts'

// Exports end to end: the notary logs a generated province history, the API exports a worker,
// a claim, a class and a region with proofs, and the offline verifier accepts each, replays the
// worker's lifelong archive with @trec/readmodels and gets what the read side computes from the
// store. Every export is itself recorded as an access event before it is sent.

describe('exports', () => {
  const key = checkpointKeyPair()
  let ctx: Awaited<ReturnType<typeof setup>>

  async function setup() {
    const log = await openLog()
    const record = await seedHistory(log.store, 6, 11)
    // The open oversight cases the case-bound exports below cite: one about a claim, one about a class.
    await openTestCase(log.store, 'case-2024-0091', {
      region: '130102',
      subjects: [{ kind: 'claim', id: record.payments[0]!.claim }],
    })
    await openTestCase(log.store, 'case-insp-2024-03', {
      region: '130102',
      subjects: [{ kind: 'class', id: Object.keys(record.classes)[0]! }],
    })
    const n = await notary(log, {}, key)
    await n.sync()
    await n.checkpoint()
    const { app, tokens } = await auditApp(log, key)
    const auditor = await tokens.mint({ sub: 'auditor-7', role: 'auditor' })
    const keys = await pinned(signing(key))
    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditor}` } })
    return { log, record, n, app, tokens, auditor, keys, get }
  }

  beforeAll(async () => {
    ctx = await setup()
  })

  const verified = async (url: string, keys?: KeySet, options = {}) => {
    const res = await ctx.get(url)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/)
    const result = await verifyText(res.body, keys ?? ctx.keys, options)
    if (!result.ok) throw new Error(JSON.stringify(result.failure))
    return { res, report: result.report }
  }

  it("exports a worker's history that verifies, and replays to the archive the read side computes", async () => {
    const worker = ctx.record.workers[0]!
    const { report } = await verified(`/v1/audit/exports/workers/${worker}?purpose=audit&case=audit-2024-07`)
    expect(report.selection).toEqual({ kind: 'worker', worker })
    expect(report.replay?.fold).toBe('worker-archive')
    // What the archive API would answer: the read side's fold over the store's events.
    const decoded = (await allEvents(ctx.log.store)).slice(0, report.checkpoint.size).map(decodeRecorded)
    const archive = foldWorkerArchive(worker, decoded)
    expect(archive.found).toBe(true)
    expect(JSON.parse(JSON.stringify(report.replay?.result))).toEqual(JSON.parse(JSON.stringify(archive)))
  })

  it('checks the replay against the expected result, and names where it differs', async () => {
    const worker = ctx.record.workers[1]!
    const url = `/v1/audit/exports/workers/${worker}?purpose=audit`
    const { report } = await verified(url)
    const expected = JSON.parse(JSON.stringify(report.replay!.result))
    const res = await ctx.get(url)
    expect((await verifyText(res.body, ctx.keys, { expect: expected })).ok).toBe(true)
    // The same replay when the lines are decoded on worker threads, in runs of a few lines.
    const threaded = await verifyText(res.body, ctx.keys, { expect: expected, threads: 2, runBytes: 2048 })
    expect(threaded.ok ? threaded.report.replay : threaded.failure).toMatchObject({ matchesExpected: true })
    expected.totals.subsidyNet += 100
    const result = await verifyText(res.body, ctx.keys, { expect: expected })
    expect(result.ok ? undefined : result.failure).toMatchObject({
      reason: 'replay-mismatch',
      message: expect.stringContaining('$.totals.subsidyNet'),
    })
  })

  it("exports a claim's trace with every piece of evidence its payment cites, logged before it", async () => {
    const payment = ctx.record.payments[0]!
    const { res, report } = await verified(
      `/v1/audit/exports/claims/${payment.claim}?purpose=fraud_case&case=case-2024-0091`,
    )
    const lines = res.body
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as { event: { id: string; type: string; data: { evidence?: string[] } } })
    const paid = lines.find((l) => l.event.type === 'SubsidyPaid')!
    expect(paid.event.data.evidence!.length).toBeGreaterThan(0)
    for (const id of paid.event.data.evidence!) expect(lines.some((l) => l.event.id === id)).toBe(true)
    expect(report.events).toBe(lines.length)
  })

  it('exports a class, and a region over a period', async () => {
    const cls = Object.keys(ctx.record.classes)[0]!
    const classExport = await verified(
      `/v1/audit/exports/classes/${cls}?purpose=supervision_inspection&case=case-insp-2024-03`,
    )
    expect(classExport.report.events).toBeGreaterThan(3)
    const region = ctx.record.classes[cls]!.region.slice(0, 4)
    const regionExport = await verified(
      `/v1/audit/exports/regions/${region}?purpose=audit&from=2019-01-01T00:00:00%2B08:00&to=2030-01-01T00:00:00%2B08:00`,
    )
    expect(regionExport.report.events).toBeGreaterThan(classExport.report.events)
  })

  it('records every export as an access event before sending it: who, what, which checkpoint, why', async () => {
    const worker = ctx.record.workers[2]!
    const { res } = await verified(`/v1/audit/exports/workers/${worker}?purpose=audit&case=audit-2024-08`)
    const [recorded] = (await ctx.log.store.readStream(`access-${worker}`)).slice(-1)
    expect(recorded?.id).toBe(res.headers['x-trec-access-event'])
    expect(recorded).toMatchObject({
      type: 'RecordsExported',
      data: {
        log: worker,
        selection: { kind: 'worker', worker },
        purpose: 'audit',
        caseRef: 'audit-2024-08',
      },
      metadata: { actor: { kind: 'auditor', id: 'auditor-7' }, source: 'trec.audit', region: '130000' },
    })
    // The log commits to what the (unsigned) header claims: the same count and leaf-index digest.
    const header = JSON.parse(res.body.slice(0, res.body.indexOf('\n')))
    expect(recorded!.data).toMatchObject({ events: header.events, leafIndexDigest: header.leafIndexDigest })
    expect(header.leafIndexDigest).toMatch(/^[0-9a-f]{64}$/)
    const claim = ctx.record.payments[1]!.claim
    await verified(`/v1/audit/exports/claims/${claim}?purpose=audit`)
    const [other] = (await ctx.log.store.readStream('access-audit')).slice(-1)
    expect(other?.data).toMatchObject({ log: 'audit', selection: { kind: 'claim', claim } })
    // The access event is logged in turn: a later checkpoint proves it.
    await ctx.n.sync()
    await ctx.n.checkpoint()
    const proof = await ctx.get(`/v1/audit/proofs/inclusion?eventId=${recorded!.id}`)
    expect(proof.statusCode).toBe(200)
  })

  it('carries consistency proofs to checkpoints the auditor saw before, and they verify', async () => {
    const first = await ctx.get('/v1/audit/checkpoints/latest')
    const earlier = first.json() as { size: number; note: string }
    const worker = ctx.record.workers[3]!
    await ctx.get(`/v1/audit/exports/workers/${worker}?purpose=audit`) // appends an access event
    await ctx.n.sync()
    await ctx.n.checkpoint()
    const latest = (await ctx.get('/v1/audit/checkpoints/latest')).json() as { size: number }
    expect(latest.size).toBeGreaterThan(earlier.size)
    const { parseCheckpoint } = await import('@trec/merkle')
    const seen = [parseCheckpoint(earlier.note.slice(0, earlier.note.lastIndexOf('\n\n') + 1))]
    const url = `/v1/audit/exports/workers/${worker}?purpose=audit&consistencyWith=${earlier.size}`
    const { report } = await verified(url, undefined, { seen })
    expect(report.seenCheckpoints).toBe(1)
    // Without the proof, the verifier says what is missing.
    const bare = await ctx.get(`/v1/audit/exports/workers/${worker}?purpose=audit`)
    const result = await verifyText(bare.body, ctx.keys, { seen })
    expect(result.ok ? undefined : result.failure.reason).toBe('consistency-missing')
  })
})

describe('an export of a payment whose evidence is not in the log', () => {
  it('fails verification naming the payment and the missing evidence', async () => {
    const key = checkpointKeyPair()
    const log = await openLog()
    const record = await seedHistory(log.store, 8, 5, 1)
    const planted = record.payments.find((p) => p.fault === 'evidence-missing')
    expect(planted).toBeDefined()
    await openTestCase(log.store, 'case-2024-0102', {
      region: '130102',
      subjects: [{ kind: 'claim', id: planted!.claim }],
    })
    const n = await notary(log, {}, key)
    await n.sync()
    await n.checkpoint()
    await n.stop()
    const { app, tokens } = await auditApp(log, key)
    const token = await tokens.mint({ sub: 'auditor-7', role: 'auditor' })
    const res = await app.inject({
      method: 'GET',
      url: `/v1/audit/exports/claims/${planted!.claim}?purpose=fraud_case&case=case-2024-0102`,
      headers: { authorization: `Bearer ${token}` },
    })
    const result = await verifyText(res.body, await pinned(signing(key)))
    expect(result.ok ? undefined : result.failure).toMatchObject({
      reason: 'evidence-missing',
      eventId: planted!.event,
    })
  })
})
