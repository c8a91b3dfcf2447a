import { randomUUID } from 'node:crypto'
import { toEventToAppend } from '@trec/contracts'
import { rootAt } from '@trec/merkle'
import { describe, expect, it } from 'vitest'
import { AuditDb } from '../src/sql/audit-db.ts'
import { allEvents, type Log, notary, openLog, rootFromScratch, seedHistory } from './support.ts'

// Exactly once across restarts: the notary is killed in the middle of a batch (the signal aborts
// and the batch's transaction fails before it commits) at many points, reopened each time, and
// in the end every event of the feed is one leaf, in feed order, none twice, none skipped.

async function expectExactLeaves(log: Log): Promise<void> {
  const events = await allEvents(log.store)
  const rows = await log.db.query<{ idx: string; event_id: string; position: string }>(
    `select idx::text as idx, event_id::text as event_id, position::text as position from ${log.schema}.leaves l order by l.idx`,
  )
  expect(rows.map((r) => Number(r.idx))).toEqual(events.map((_, i) => i))
  expect(rows.map((r) => r.event_id)).toEqual(events.map((e) => e.id))
  expect(rows.map((r) => BigInt(r.position))).toEqual(events.map((e) => e.position))
  const audit = new AuditDb(log.db, log.schema)
  expect(Buffer.from(await rootAt(audit.nodes(), events.length))).toEqual(
    Buffer.from(rootFromScratch(events)),
  )
  expect((await audit.state()).size).toBe(events.length)
}

function segment(worker: string, k: number) {
  return toEventToAppend(
    {
      type: 'OnlineLearningSegmentRecorded',
      data: {
        worker,
        class: 'cls-2021-0001',
        platform: 'plat-hebei-online',
        lesson: `lesson-${k}`,
        start: '2021-04-03T09:00:00+08:00',
        end: '2021-04-03T09:30:00+08:00',
        playbackRate: 1,
        clientFingerprint: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    },
    {
      occurredAt: '2021-04-03T09:30:00+08:00',
      actor: { kind: 'system', id: 'online-platform' },
      source: 'trec.attendance',
      region: '130102',
    },
  )
}

describe('the notary across restarts', () => {
  it('resumes without duplicating or skipping a leaf when killed in the middle of any batch', async () => {
    const log = await openLog()
    await seedHistory(log.store, 4)
    const total = (await allEvents(log.store)).length
    let kills = 0
    // Kill at the 1st, 2nd, 3rd… batch of each incarnation until the feed is done.
    for (let round = 0; round < 40; round++) {
      const controller = new AbortController()
      let batches = 0
      const n = await notary(log, {
        batchSize: 7,
        signal: controller.signal,
        beforeCommit: async () => {
          batches += 1
          if (batches === (round % 3) + 1) {
            controller.abort()
            kills += 1
            throw new Error('killed mid-batch')
          }
        },
      })
      // Killed, or caught up before its kill point came: either way it ends here.
      await n.sync().catch(() => undefined)
      await n.stop()
      if ((await new AuditDb(log.db, log.schema).state()).size === total) break
    }
    expect(kills).toBeGreaterThan(3)
    const final = await notary(log, { batchSize: 7 })
    await final.sync()
    await final.stop()
    await expectExactLeaves(log)
  })

  it('retries a failed batch at once, even when no new event comes to wake it', async () => {
    const log = await openLog()
    await seedHistory(log.store, 2)
    const total = (await allEvents(log.store)).length
    const errors: unknown[] = []
    let failed = false
    const n = await notary(log, {
      batchSize: 7,
      onError: (e) => errors.push(e),
      // Timed checkpoints every second: they must not sign, reload or report around the failure.
      checkpointEvery: { leaves: 1_000_000, seconds: 1 },
      beforeCommit: async ({ to }) => {
        if (to !== total || failed) return
        failed = true
        throw new Error('the last batch fails once')
      },
    })
    await n.sync()
    await n.checkpoint()
    await n.stop()
    expect(failed).toBe(true)
    expect(errors.map(String)).toEqual(['Error: the last batch fails once'])
    await expectExactLeaves(log)
  })

  it('resumes after being stopped right after a commit, while writers keep appending', async () => {
    const log = await openLog()
    await seedHistory(log.store, 2)
    const worker = 'a3c95f2e0d8b47f6a1c2e3d4f5a6b7c8'
    let k = 0
    for (let life = 0; life < 4; life++) {
      const controller = new AbortController()
      const n = await notary(log, {
        batchSize: 5,
        signal: controller.signal,
        // Stop after the second batch commits: the in-memory state is dropped, the database is not.
        beforeCommit: async ({ from }) => {
          if (from > 0 && from % 2 === 0) setImmediate(() => controller.abort())
        },
      })
      for (let i = 0; i < 6; i++) await log.store.append(`attendance-${worker}`, [segment(worker, k++)])
      await n.done.catch(() => undefined)
      controller.abort()
      await n.done
    }
    const final = await notary(log, { batchSize: 5 })
    await final.sync()
    await final.stop()
    await expectExactLeaves(log)
  })

  // Two notaries on one log: the loser of a race reloads the tree the winner moved, and its
  // sync() must then settle (it waited for ever when it never wrote a batch itself).
  it('refuses to move a tree that another notary moved (no double append from two processes)', async () => {
    const log = await openLog()
    await seedHistory(log.store, 2)
    const a = await notary(log, { batchSize: 3 })
    const b = await notary(log, { batchSize: 4 })
    await Promise.all([a.sync(), b.sync()])
    await Promise.all([a.stop(), b.stop()])
    await expectExactLeaves(log)
  })

  it('keeps leaf order equal to feed order for events appended while it runs', async () => {
    const log = await openLog()
    const n = await notary(log, { batchSize: 16 })
    const worker = 'b4d06a3f1e9c58a7b2d3f4e5a6b7c8d9'
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 15; i++)
          await log.store.append(`attendance-${worker.slice(0, 31)}${w}`, [
            { ...segment(worker, w * 100 + i), id: randomUUID() },
          ])
      }),
    )
    await n.sync()
    await n.stop()
    await expectExactLeaves(log)
  })
})
