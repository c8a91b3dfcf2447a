import type { Query } from '@trec/eventstore'
import { type FoldEvent, foldEventOfRow, type StoredFoldRow, slimData } from '@trec/readmodels'

// The shared part of the read models that fold each worker again from stored facts (the
// lifelong archive, compliance). Each keeps the facts its fold reads: the worker's own events in
// `worker_events`, the class, programme and institution facts they name in `reference_events`
// (slimmed of sealed personal fields, keyed by the event id so that a second copy is ignored),
// and which classes a programme has. When a fact arrives, every worker whose fold reads it is
// folded again from these tables, so the rows depend only on which events have arrived, never on
// their order. What differs between the read models (which events they keep, who reads which
// fact, what a fold writes) stays with each of them.

/** The columns of a stored fact, after its key columns. */
const factColumns = `position int8 not null, id uuid not null unique, type text not null,
  recorded_at text not null, occurred_at text not null, region text not null, data jsonb not null`

/** The fact tables (see `Projection.tables`), to spread into a read model's own. */
export const factTables = {
  worker_events: `worker text not null, ${factColumns}, primary key (worker, position)`,
  reference_events: `kind text not null, key text not null, ${factColumns}, primary key (kind, key, position)`,
  programme_classes: 'programme text not null, class text not null, primary key (programme, class)',
} as const

/** A decoded event, as `decodeRecorded` gives it: what a fact row keeps of it. */
export interface FactSource {
  position: bigint
  id: string
  type: string
  recordedAt: string
  occurredAt: string
  region: string
  data: unknown
}

export interface FactRow {
  position: string
  id: string
  type: string
  recorded_at: string
  occurred_at: string
  region: string
  data: Record<string, unknown>
}

/** The row of a fact, its data slimmed of sealed personal fields. */
export function factRow(e: FactSource): FactRow {
  return {
    position: e.position.toString(),
    id: e.id,
    type: e.type,
    recorded_at: e.recordedAt,
    occurred_at: e.occurredAt,
    region: e.region,
    data: slimData(e.type, e.data),
  }
}

export interface NewFacts {
  workers: (FactRow & { worker: string })[]
  references: (FactRow & { kind: string; key: string })[]
  programmeClasses: { programme: string; class: string }[]
}

/**
 * Inserts rows given as JSON into `into`, typed by `columns` (`name type, ...`), ignoring rows
 * already there (`on conflict do nothing`) unless `onConflict` says otherwise.
 */
export async function insertRecordset(
  query: Query,
  into: string,
  columns: string,
  rows: readonly object[],
  onConflict = 'on conflict do nothing',
): Promise<void> {
  if (rows.length === 0) return
  await query(
    `insert into ${into} select * from jsonb_to_recordset($1::jsonb) as x(${columns}) ${onConflict}`,
    [JSON.stringify(rows)],
  )
}

const rowColumns =
  'position text, id uuid, type text, recorded_at text, occurred_at text, region text, data jsonb'

async function insertFactRows(query: Query, into: string, keyColumns: string, rows: object[]): Promise<void> {
  if (rows.length === 0) return
  const keys = keyColumns
    .split(',')
    .map((c) => c.trim().split(' ')[0])
    .join(', ')
  await query(
    `insert into ${into} (${keys}, position, id, type, recorded_at, occurred_at, region, data)
     select ${keys}, position::int8, id, type, recorded_at, occurred_at, region, data
       from jsonb_to_recordset($1::jsonb) as x(${keyColumns}, ${rowColumns})
     on conflict do nothing`,
    [JSON.stringify(rows)],
  )
}

/** Stores new facts in the fact tables; a fact stored before is ignored. */
export async function insertFacts(
  query: Query,
  table: (name: string) => string,
  facts: NewFacts,
): Promise<void> {
  await insertFactRows(query, table('worker_events'), 'worker text', facts.workers)
  await insertFactRows(query, table('reference_events'), 'kind text, key text', facts.references)
  await insertRecordset(
    query,
    table('programme_classes'),
    'programme text, class text',
    facts.programmeClasses,
  )
}

/** The keys of the new reference facts of one kind (`class`, `programme`, …). */
export const referenceKeys = (facts: NewFacts, kind: string): string[] =>
  facts.references.filter((r) => r.kind === kind).map((r) => r.key)

/** Each worker's own stored facts, as fold events, by worker. */
export async function ownFacts(
  query: Query,
  table: (name: string) => string,
  workers: readonly string[],
): Promise<Map<string, FoldEvent[]>> {
  const own = await query<StoredFoldRow>(
    `select worker, position::text as position, id::text as id, type, recorded_at, occurred_at, region, data
       from ${table('worker_events')} where worker = any($1::text[])`,
    [workers],
  )
  const out = new Map<string, FoldEvent[]>()
  for (const r of own) pushTo(out, r.worker!, foldEventOfRow(r))
  return out
}

/**
 * Appends `value` to the list under `key` in place: spreading the list into a new one for each
 * row copied a worker's whole history once per event of it (quadratic, most of it garbage).
 */
function pushTo<T>(lists: Map<string, T[]>, key: string, value: T): void {
  const list = lists.get(key)
  if (list) list.push(value)
  else lists.set(key, [value])
}

/** Reference facts as fold events, by `kind:key`. */
export function referencesByKey(refs: readonly StoredFoldRow[]): Map<string, FoldEvent[]> {
  const byKey = new Map<string, FoldEvent[]>()
  for (const r of refs) pushTo(byKey, `${r.kind}:${r.key}`, foldEventOfRow(r))
  return byKey
}

/** The workers in chunks of at most `size` (one fold query and one write each). */
export function chunked<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}
