import {
  inclusionProof,
  leafHash,
  parseCheckpoint,
  rootAt,
  verifyCheckpointNote,
  verifyInclusion,
} from '@trec/merkle'
import { describe, expect, it } from 'vitest'
import { leafText } from '../src/leaf.ts'
import { AuditDb } from '../src/sql/audit-db.ts'
import {
  allEvents,
  checkpointKeyPair,
  notary,
  openLog,
  origin,
  pinned,
  rootFromScratch,
  seedHistory,
  signing,
} from './support.ts'

describe('the notary', () => {
  it('appends every stored event as a leaf, in feed order, and its roots equal @trec/merkle from scratch', async () => {
    const log = await openLog()
    await seedHistory(log.store)
    const n = await notary(log, { batchSize: 37 })
    await n.sync()
    const events = await allEvents(log.store)
    expect(n.status().size).toBe(events.length)
    const audit = new AuditDb(log.db, log.schema)
    const nodes = audit.nodes()
    for (const size of [1, 2, 3, 37, 64, events.length - 1, events.length]) {
      expect(Buffer.from(await rootAt(nodes, size)).toString('hex')).toBe(
        Buffer.from(rootFromScratch(events, size)).toString('hex'),
      )
    }
    for (const [i, e] of events.entries()) {
      expect((await audit.leafOfEvent(e.id))?.idx).toBe(i)
    }
    await n.stop()
  })

  it("finds an event's leaf through the store's lookup by id, or through an index of its own when the store has none", async () => {
    const log = await openLog()
    await seedHistory(log.store, 2)
    const events = await allEvents(log.store)
    const indexes = async () =>
      (
        await log.db.query<{ name: string }>(
          `select indexname as name from pg_indexes where schemaname = $1 and tablename = 'leaves' order by 1`,
          [log.schema],
        )
      ).map((r) => r.name)
    // A log of an earlier version: a unique index over event ids, which the migration drops.
    const earlier = new AuditDb(log.db, log.schema)
    await earlier.migrate()
    await log.db.script(
      `alter table ${log.schema}.leaves add constraint leaves_event_id_key unique (event_id)`,
    )
    const n = await notary(log, { batchSize: 50 })
    await n.sync()
    await n.stop()
    expect(await indexes()).not.toContain('leaves_event_id_key')
    expect(await indexes()).not.toContain('leaves_by_event')
    const viaStore = new AuditDb(log.db, log.schema, log.store)
    // A store that cannot look events up by id, as the KurrentDB adapter: the same store with
    // that capability withheld. Its log indexes event ids itself.
    const withoutLookup = new Proxy(log.store, {
      get: (store, key) => (key === 'readEvents' ? undefined : Reflect.get(store, key)),
    })
    const viaIndex = new AuditDb(log.db, log.schema, withoutLookup)
    await viaIndex.migrate()
    expect(await indexes()).toContain('leaves_by_event')
    for (const audit of [viaStore, viaIndex]) {
      for (const [i, e] of events.entries()) expect((await audit.leafOfEvent(e.id))?.idx).toBe(i)
      const picked = [events[3]!, events[17]!, events.at(-1)!]
      expect((await audit.leavesOfEvents(picked.map((e) => e.id))).map((l) => l.idx)).toEqual([
        3,
        17,
        events.length - 1,
      ])
      expect(
        (
          await audit.leavesOfEvents(
            picked.map((e) => e.id),
            17,
          )
        ).map((l) => l.eventId),
      ).toEqual([events[3]!.id])
      expect(await audit.leafOfEvent('00000000-0000-4000-8000-000000000000')).toBeUndefined()
    }
    // An event stored after the notary stopped has no leaf yet.
    await log.store.append('late-1', [{ id: '4f6c2b1e-0d6a-4c8e-9a51-2d7f3b9c0e11', type: 'Late', data: {} }])
    expect(await viaStore.leafOfEvent('4f6c2b1e-0d6a-4c8e-9a51-2d7f3b9c0e11')).toBeUndefined()
  })

  it('signs a checkpoint every N leaves whose root is the root of that many events', async () => {
    const log = await openLog()
    await seedHistory(log.store)
    const key = checkpointKeyPair()
    const n = await notary(log, { checkpointEvery: { leaves: 50, seconds: 3600 }, batchSize: 20 }, key)
    await n.sync()
    const events = await allEvents(log.store)
    const rows = await log.db.query<{ size: string; note: string }>(
      `select size::text as size, note from ${log.schema}.checkpoints order by seq`,
    )
    expect(rows.map((r) => Number(r.size))).toEqual(
      Array.from({ length: Math.floor(events.length / 50) }, (_, i) => (i + 1) * 50),
    )
    const keys = await pinned(signing(key))
    for (const row of rows) {
      const verified = verifyCheckpointNote(row.note, { origin, keys })
      expect(verified.ok).toBe(true)
      const cp = parseCheckpoint(row.note.slice(0, row.note.lastIndexOf('\n\n') + 1))
      expect(Buffer.from(cp.root).equals(Buffer.from(rootFromScratch(events, cp.size)))).toBe(true)
    }
    await n.stop()
  })

  it('serves inclusion proofs that verify against a recomputed root', async () => {
    const log = await openLog()
    await seedHistory(log.store, 2)
    const n = await notary(log)
    await n.sync()
    const events = await allEvents(log.store)
    const nodes = new AuditDb(log.db, log.schema).nodes()
    const root = rootFromScratch(events)
    for (const i of [0, 1, events.length - 1, Math.floor(events.length / 2)]) {
      const proof = await inclusionProof(nodes, i, events.length)
      const leaf = leafHash(Buffer.from(leafText(events[i]!), 'utf8'))
      expect(verifyInclusion(leaf, i, events.length, proof, root)).toEqual({ ok: true })
    }
    await n.stop()
  })
})
