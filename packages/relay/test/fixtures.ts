import { randomBytes } from 'node:crypto'
import { uuidv7 } from '@trec/core'
import type { EventStore, EventToAppend } from '@trec/eventstore'
import type { Projection } from '@trec/projections'

/** A read model for the tests: events per category and per partition key, last type per stream. */
export const counts: Projection = {
  name: 'counts',
  version: 1,
  tables: {
    by_category: 'category text primary key, events int not null',
    by_stream:
      'stream text primary key, events int not null, last_revision int not null, last_type text not null',
  },
  async apply(events, { query, table }) {
    for (const e of events) {
      await query(
        `insert into ${table('by_category')} values ($1, 1)
         on conflict (category) do update set events = ${table('by_category')}.events + 1`,
        [e.stream.split('-')[0]],
      )
      await query(
        `insert into ${table('by_stream')} values ($1, 1, $2, $3)
         on conflict (stream) do update set events = ${table('by_stream')}.events + 1,
           last_revision = excluded.last_revision, last_type = excluded.last_type`,
        [e.stream, e.revision, e.type],
      )
    }
  },
}

export const workers = Array.from({ length: 50 }, () => randomBytes(16).toString('hex'))

/** Appends `n` events spread over worker streams (keyed by pseudonym) and class streams. */
export async function appendMixed(store: EventStore, n: number, batch = 1): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i += batch) {
    const events: EventToAppend[] = []
    for (let j = 0; j < batch && i + j < n; j++) {
      const id = uuidv7()
      ids.push(id)
      events.push({ id, type: 'FaceCheckRecorded', data: { i: i + j }, metadata: { schemaVersion: 2 } })
    }
    const stream = i % 5 === 0 ? `class-c${i % 11}` : `attendance-${workers[i % workers.length]}`
    await store.append(stream, events)
  }
  return ids
}
