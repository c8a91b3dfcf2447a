import { toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import {
  CompactTree,
  inclusionProof,
  leafHash,
  parseCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@trec/merkle'
import {
  createPseudonymizer,
  findCardNumbers,
  generateMasterKey,
  KeyRing,
  MemoryKeyStore,
} from '@trec/privacy'
import { describe, expect, it } from 'vitest'
import { leafText } from '../src/leaf.ts'
import { AuditDb } from '../src/sql/audit-db.ts'
import {
  allEvents,
  auditApp,
  checkpointKeyPair,
  type Log,
  notary,
  openLog,
  pinned,
  seedHistory,
  signing,
  verifyText,
} from './support.ts'

// What the log proves when someone with database access changes it: a changed node or event no
// longer proves against a checkpoint signed before, and a rewritten history cannot be shown
// consistent with it. And what it keeps proving: a crypto-shredded worker's export still verifies,
// with nothing readable left of their personal data.

const cut = (note: string) => parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1))

async function loggedHistory(key = checkpointKeyPair()) {
  const log = await openLog()
  const record = await seedHistory(log.store, 3, 31)
  const n = await notary(log, {}, key)
  await n.sync()
  const first = (await n.checkpoint())!
  const { app, tokens } = await auditApp(log, key)
  const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  return {
    log,
    record,
    n,
    first,
    get,
    keys: await pinned(signing(key)),
    audit: new AuditDb(log.db, log.schema),
  }
}

/** What an attacker with the database owner's rights does: switch the append-only trigger off. */
async function tamper(log: Log, table: string, sql: string, params: unknown[]) {
  await log.db.query(`alter table ${table} disable trigger all`)
  await log.db.query(sql, params)
  await log.db.query(`alter table ${table} enable trigger all`)
}

describe('tampering in the database', () => {
  it('refuses ordinary updates and deletes of the log', async () => {
    const { log } = await loggedHistory()
    for (const sql of [
      `update ${log.schema}.leaves set hash = hash where idx = 0`,
      `delete from ${log.schema}.leaves where idx > 3`,
      `update ${log.schema}.checkpoints set note = ''`,
      `truncate ${log.schema}.refs`,
    ])
      await expect(log.db.query(sql)).rejects.toThrow(/append-only/)
  })

  it('a changed tree node makes a fresh inclusion proof fail against the checkpoint signed before', async () => {
    const { log, first, get, audit } = await loggedHistory()
    const events = await allEvents(log.store)
    const target = 5
    const before = await inclusionProof(audit.nodes(), target, first.size)
    // Replace the hash of leaf 4, the sibling of leaf 5.
    await tamper(
      log,
      `${log.schema}.leaves`,
      `update ${log.schema}.leaves set hash = decode($1, 'hex') where idx = 4`,
      ['ab'.repeat(32)],
    )
    const res = await get(`/v1/audit/proofs/inclusion?eventId=${events[target]!.id}&size=${first.size}`)
    const proof = (res.json() as { proof: string[] }).proof.map((p) => Buffer.from(p, 'base64'))
    expect(proof).not.toEqual(before.map((h) => Buffer.from(h)))
    const leaf = leafHash(Buffer.from(leafText(events[target]!)))
    const checked = verifyInclusion(leaf, target, first.size, proof, cut(first.note).root)
    expect(checked).toMatchObject({ ok: false, reason: 'root-mismatch' })
  })

  it('a changed event fails its inclusion proof in an export, naming the event', async () => {
    const { log, record, get, keys } = await loggedHistory()
    const payment = record.payments[0]!
    // The payment's amount, raised by one fen, in the store's own table.
    await tamper(
      log,
      `${log.storeSchema}.events`,
      `update ${log.storeSchema}.events set data = jsonb_set(data::jsonb, '{amount}', to_jsonb((data->>'amount')::int + 1))::json where id = $1`,
      [payment.event],
    )
    const res = await get(`/v1/audit/exports/claims/${payment.claim}?purpose=audit`)
    const result = await verifyText(res.body, keys)
    expect(result.ok ? undefined : result.failure).toMatchObject({
      reason: 'inclusion-failed',
      eventId: payment.event,
    })
  })

  it('a rewritten history cannot be proven consistent with the checkpoint signed before', async () => {
    const key = checkpointKeyPair()
    const { log, record, n, first, get, keys } = await loggedHistory(key)
    await n.stop()
    // Rewrite leaf 2 and every node above it (kept with the leaves), so the tree is self-consistent again.
    const rows = await log.db.query<{ hash: Uint8Array }>(
      `select hash from ${log.schema}.leaves l order by l.idx`,
    )
    const hashes = rows.map((r) => Buffer.from(r.hash))
    hashes[2] = Buffer.from(leafHash(Buffer.from('{"forged":true}')))
    const tree = CompactTree.empty()
    await tamper(
      log,
      `${log.schema}.leaves`,
      `update ${log.schema}.leaves set hash = decode($1, 'hex') where idx = 2`,
      [hashes[2].toString('hex')],
    )
    for (const [i, h] of hashes.entries()) {
      const parents = Buffer.concat(
        tree
          .append(h)
          .slice(1)
          .map((node) => node.hash),
      ).toString('hex')
      await tamper(
        log,
        `${log.schema}.leaves`,
        `update ${log.schema}.leaves set parents = decode($1, 'hex') where idx = $2`,
        [parents, i],
      )
    }
    // The log goes on: a new export is logged, and a new checkpoint signed over the rewritten tree.
    const again = await notary(log, {}, key)
    await get(`/v1/audit/exports/workers/${record.workers[0]}?purpose=audit`)
    await again.sync()
    const second = (await again.checkpoint())!
    expect(second.size).toBeGreaterThan(first.size)
    const res = await get(`/v1/audit/proofs/consistency?from=${first.size}&to=${second.size}`)
    const proof = (res.json() as { proof: string[] }).proof.map((p) => Buffer.from(p, 'base64'))
    expect(
      verifyConsistency(first.size, second.size, proof, cut(first.note).root, cut(second.note).root),
    ).toMatchObject({
      ok: false,
      reason: 'first-root-mismatch',
    })
    const exported = await get(
      `/v1/audit/exports/workers/${record.workers[1]}?purpose=audit&consistencyWith=${first.size}`,
    )
    const result = await verifyText(exported.body, keys, { seen: [cut(first.note)] })
    expect(result.ok ? undefined : result.failure.reason).toBe('consistency-failed')
    await again.stop()
  })
})

describe('a crypto-shredded worker', () => {
  it('still has an export that verifies, with no readable personal data in it', async () => {
    const log = await openLog()
    const key = checkpointKeyPair()
    const ring = new KeyRing({ store: new MemoryKeyStore(), masterKey: generateMasterKey('master-2026-11') })
    const card = '11010519491231002X'
    const personal = { name: '张建国', idNumber: card, phone: '13912345678' }
    const worker = createPseudonymizer('s'.repeat(48)).pseudonym(card)
    const sealed = await ring.sealFields(worker, personal, ['name', 'idNumber', 'phone'])
    const meta = {
      occurredAt: '2024-03-04T09:00:00+08:00',
      actor: { kind: 'institution_staff' as const, id: 'staff-1' },
      source: 'trec.training',
      region: '130102',
    }
    await log.store.append(`training-${worker}`, [
      toEventToAppend(
        {
          type: 'WorkerEnrolled',
          data: { worker, class: 'cls-2024-0042', institution: 'inst-130100-0042', ...sealed } as never,
        },
        meta,
      ),
    ])
    const n = await notary(log, {}, key)
    await n.sync()
    await n.checkpoint()
    expect(await ring.shred(worker)).toBe(true)
    const { app, tokens } = await auditApp(log, key)
    const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const res = await app.inject({
      method: 'GET',
      url: `/v1/audit/exports/workers/${worker}?purpose=audit`,
      headers: { authorization: `Bearer ${token}` },
    })
    const result = await verifyText(res.body, await pinned(signing(key)))
    expect(result.ok ? result.report.events : result.failure).toBe(1)
    for (const secret of Object.values(personal)) expect(res.body).not.toContain(secret)
    expect(findCardNumbers(res.body)).toEqual([])
    const [line] = res.body.trim().split('\n').slice(1)
    const exported = (JSON.parse(line!) as { event: { data: Record<string, unknown> } }).event.data
    const error = await ring.open(exported.name, 'name').catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_KEY_SHREDDED')).toBe(true)
    await n.stop()
  })
})
