import { decodeRecorded } from '@trec/contracts'
import type { Projection } from '@trec/projections'

// Workers' objections (异议) as a list: the officers' queue of a region (GET /v1/objections) and a
// worker's own (GET /v1/me/objections). Order: the feed position of the filing, which never
// changes, so a page cursor keeps its place while objections are filed. Workers by pseudonym only.

export interface ObjectionRow {
  objection: string
  worker: string
  region: string
  entry_kind: string
  entry_id: string
  reason: string
  filed_at: string
  filed_event: string
  status: 'open' | 'answered'
  decision: 'accepted' | 'rejected' | null
  answer: string | null
  answered_at: string | null
  answered_by: string | null
  position: string | number
}

export const objectionsProjection: Projection = {
  name: 'objections',
  version: 1,
  tables: {
    // The unique constraints are there for their indexes: a region's queue and a worker's list.
    objections: `objection text primary key, worker text not null, region text not null,
      entry_kind text not null, entry_id text not null, reason text not null, filed_at text not null,
      filed_event text not null, status text not null, decision text, answer text, answered_at text,
      answered_by text, position int8 not null unique, unique (region, position), unique (worker, position)`,
  },
  async apply(recorded, { query, table }) {
    const objections = table('objections')
    for (const r of recorded) {
      if (r.type !== 'ObjectionFiled' && r.type !== 'ObjectionAnswered') continue
      const e = decodeRecorded(r)
      if (e.type === 'ObjectionFiled')
        await query(
          `insert into ${objections} values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', null, null, null, null, $9)
           on conflict (objection) do nothing`,
          [
            e.data.objection,
            e.data.worker,
            e.data.region,
            e.data.entry.kind,
            e.data.entry.id,
            e.data.reason,
            e.occurredAt,
            e.id,
            e.position.toString(),
          ],
        )
      else if (e.type === 'ObjectionAnswered')
        await query(
          `update ${objections} set status = 'answered', decision = $2, answer = $3, answered_at = $4,
             answered_by = $5 where objection = $1`,
          [e.data.objection, e.data.decision, e.data.reason, e.occurredAt, `${e.actor.kind}:${e.actor.id}`],
        )
    }
  },
}
