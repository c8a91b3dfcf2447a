import type { SqlEventStore } from '@trec/eventstore/postgres'
import type pg from 'pg'

// After the faults: waits until everything that follows the store's feed has reached its head
// and the head has stopped moving (the oversight detectors append alerts as they go, which the
// others then follow): the relay's checkpoint, every read model's checkpoint, and the audit
// log's tree and its latest signed checkpoint.

export interface CatchUp {
  ok: boolean
  ms: number
  detail: string
}

interface Lag {
  head: bigint
  events: number
  behind: string[]
}

async function lag(pool: pg.Pool, store: SqlEventStore, topic: string, withAudit: boolean): Promise<Lag> {
  const head = await store.lastPosition()
  const one = async <T>(sql: string, params: unknown[] = []) =>
    (await pool.query(sql, params)).rows[0] as T | undefined
  const events = Number(
    (await one<{ n: string }>('select count(*)::text as n from trec.events where position <= $1::int8', [
      head.toString(),
    ]))!.n,
  )
  const behind: string[] = []
  const relay = await one<{ p: string }>(
    'select position::text as p from trec_relay.checkpoints where name = $1',
    [`relay:${topic}`],
  )
  if (!relay || BigInt(relay.p) < head) behind.push(`relay at ${relay?.p ?? 'none'}`)
  const read = await pool.query<{ name: string; version: number; p: string }>(
    'select name, version, position::text as p from trec_read.checkpoints',
  )
  for (const r of read.rows) if (BigInt(r.p) < head) behind.push(`${r.name} v${r.version} at ${r.p}`)
  if (withAudit) {
    const state = await one<{ size: string; feed: string }>(
      'select size::text, feed_position::text as feed from trec_audit.state where id = 1',
    )
    const checkpoint = await one<{ size: string }>(
      'select size::text from trec_audit.checkpoints order by seq desc limit 1',
    )
    if (!state || BigInt(state.feed) < head || Number(state.size) !== events)
      behind.push(`audit tree ${state?.size ?? 'none'} of ${events} leaves`)
    else if (Number(checkpoint?.size ?? -1) !== events)
      behind.push(`audit checkpoint at size ${checkpoint?.size ?? 'none'}`)
  }
  return { head, events, behind }
}

export async function waitCaughtUp(
  pool: pg.Pool,
  store: SqlEventStore,
  o: { topic: string; withAudit: boolean; timeoutMs: number; log: (line: string) => void },
): Promise<CatchUp> {
  const started = Date.now()
  let last: Lag | undefined
  let steady = 0
  let lastLog = 0
  while (Date.now() - started < o.timeoutMs) {
    let now: Lag
    try {
      now = await lag(pool, store, o.topic, o.withAudit)
    } catch (error) {
      o.log(`  catch-up: ${(error as Error).message}`)
      await new Promise((r) => setTimeout(r, 1000))
      continue
    }
    steady = now.behind.length === 0 && last?.head === now.head ? steady + 1 : 0
    last = now
    if (steady >= 2)
      return {
        ok: true,
        ms: Date.now() - started,
        detail: `everything at the head (${now.events} events) after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now()
      o.log(
        `  catch-up: ${now.events} events; ${now.behind.length === 0 ? 'all at the head, settling' : `behind: ${now.behind.join(', ')}`}`,
      )
    }
    await new Promise((r) => setTimeout(r, 1500))
  }
  return {
    ok: false,
    ms: Date.now() - started,
    detail: `not caught up within ${o.timeoutMs / 1000} s: ${last ? last.behind.join(', ') || 'the head kept moving' : 'the database did not answer'}`,
  }
}
