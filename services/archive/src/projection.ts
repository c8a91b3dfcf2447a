import { decodeRecorded, isEventType } from '@trec/contracts'
import type { Query, RecordedEvent } from '@trec/eventstore'
import type { Projection, ProjectionContext } from '@trec/projections'
import {
  archiveReferenceTypes,
  archiveWorkerTypes,
  type FoldEvent,
  foldEventOfRow,
  foldWorkerArchive,
  type StoredFoldRow,
  slimData,
  type WorkerArchive,
} from '@trec/readmodels'

// The lifelong archive as a read model. It keeps the facts the archive is folded from (the
// worker's own events, slimmed of sealed personal fields, and the class, programme and
// institution facts they name) and the archive of each worker, folded by `foldWorkerArchive`.
// When any fact arrives, every worker whose archive reads it is folded again from the stored
// facts, so the rows depend only on which events have arrived, not on their order: a rebuild,
// a redelivery or a Kafka feed whose partitions interleave differently all end with the same
// rows. Every insert is keyed by the event id and ignores a second copy.

const workerTypes = new Set<string>(archiveWorkerTypes)
const referenceTypes = new Set<string>(archiveReferenceTypes)

export const archiveProjection: Projection = {
  name: 'archive',
  // 2: members indexed by worker as well.
  version: 2,
  tables: {
    worker_events: `worker text not null, position int8 not null, id uuid not null unique, type text not null,
      recorded_at text not null, occurred_at text not null, region text not null, data jsonb not null,
      primary key (worker, position)`,
    reference_events: `kind text not null, key text not null, position int8 not null, id uuid not null unique,
      type text not null, recorded_at text not null, occurred_at text not null, region text not null,
      data jsonb not null, primary key (kind, key, position)`,
    // Which workers' archives read a class's or an institution's facts, and which classes a programme's;
    // looked up both ways (a fact's workers, a worker's facts).
    members: `kind text not null, key text not null, worker text not null, primary key (kind, key, worker),
      unique (worker, kind, key)`,
    programme_classes: 'programme text not null, class text not null, primary key (programme, class)',
    archives: 'worker text primary key, doc jsonb not null',
  },
  async apply(events, ctx) {
    await applyArchive(events, ctx)
  },
}

interface Row {
  position: string
  id: string
  type: string
  recorded_at: string
  occurred_at: string
  region: string
  data: Record<string, unknown>
}

function row(e: ReturnType<typeof decodeRecorded>): Row {
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

const rowColumns =
  'position text, id uuid, type text, recorded_at text, occurred_at text, region text, data jsonb'

async function applyArchive(events: RecordedEvent[], { query, table }: ProjectionContext): Promise<void> {
  const workerRows: (Row & { worker: string })[] = []
  const referenceRows: (Row & { kind: string; key: string })[] = []
  const members: { kind: string; key: string; worker: string }[] = []
  const programmeClasses: { programme: string; class: string }[] = []
  for (const recorded of events) {
    if (!isEventType(recorded.type) || !(workerTypes.has(recorded.type) || referenceTypes.has(recorded.type)))
      continue
    const e = decodeRecorded(recorded)
    if (e.type === 'ClassOpeningApplied') {
      referenceRows.push({ ...row(e), kind: 'class', key: e.data.class })
      programmeClasses.push({ programme: e.data.programme, class: e.data.class })
    } else if (e.type === 'ProgrammePublished')
      referenceRows.push({ ...row(e), kind: 'programme', key: e.data.programme })
    else if (e.type === 'InstitutionDesignated')
      referenceRows.push({ ...row(e), kind: 'institution', key: e.data.institution })
    else {
      const worker = (e.data as { worker: string }).worker
      workerRows.push({ ...row(e), worker })
      if (e.type === 'WorkerEnrolled') {
        members.push({ kind: 'class', key: e.data.class, worker })
        members.push({ kind: 'institution', key: e.data.institution, worker })
      } else if (e.type === 'TrainingCompleted') members.push({ kind: 'class', key: e.data.class, worker })
    }
  }
  if (workerRows.length + referenceRows.length === 0) return

  await insertRows(query, table('worker_events'), 'worker text', workerRows)
  await insertRows(query, table('reference_events'), 'kind text, key text', referenceRows)
  if (members.length > 0)
    await query(
      `insert into ${table('members')} select * from jsonb_to_recordset($1::jsonb) as x(kind text, key text, worker text)
       on conflict do nothing`,
      [JSON.stringify(members)],
    )
  if (programmeClasses.length > 0)
    await query(
      `insert into ${table('programme_classes')} select * from jsonb_to_recordset($1::jsonb) as x(programme text, class text)
       on conflict do nothing`,
      [JSON.stringify(programmeClasses)],
    )

  // Every worker whose archive reads one of the new facts.
  const affected = new Set(workerRows.map((r) => r.worker))
  const classes = referenceRows.filter((r) => r.kind === 'class').map((r) => r.key)
  const programmes = referenceRows.filter((r) => r.kind === 'programme').map((r) => r.key)
  const institutions = referenceRows.filter((r) => r.kind === 'institution').map((r) => r.key)
  if (classes.length + programmes.length + institutions.length > 0) {
    const rows = await query<{ worker: string }>(
      `select distinct worker from ${table('members')}
        where (kind = 'class' and key = any($1::text[]))
           or (kind = 'institution' and key = any($2::text[]))
           or (kind = 'class' and key in (select class from ${table('programme_classes')} where programme = any($3::text[])))`,
      [classes, institutions, programmes],
    )
    for (const r of rows) affected.add(r.worker)
  }
  const workers = [...affected].sort()
  for (let i = 0; i < workers.length; i += 500) {
    const chunk = workers.slice(i, i + 500)
    const facts = await loadFacts(query, table, chunk)
    const docs = chunk.map((worker) => ({ worker, doc: foldWorkerArchive(worker, facts.get(worker) ?? []) }))
    await query(
      `insert into ${table('archives')} select * from jsonb_to_recordset($1::jsonb) as x(worker text, doc jsonb)
       on conflict (worker) do update set doc = excluded.doc`,
      [JSON.stringify(docs)],
    )
  }
}

async function insertRows(query: Query, into: string, keyColumns: string, rows: object[]): Promise<void> {
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

type StoredRow = StoredFoldRow
const toFold = foldEventOfRow

/**
 * The stored facts each worker's archive is folded from: the worker's events, and the facts of
 * the classes and institutions they name and of those classes' programmes.
 */
export async function loadFacts(
  query: Query,
  table: (name: string) => string,
  workers: readonly string[],
): Promise<Map<string, FoldEvent[]>> {
  const own = await query<StoredRow>(
    `select worker, position::text as position, id::text as id, type, recorded_at, occurred_at, region, data
       from ${table('worker_events')} where worker = any($1::text[])`,
    [workers],
  )
  const refs = await query<StoredRow & { kind: string; key: string }>(
    `with keys as (
       select distinct kind, key from ${table('members')} where worker = any($1::text[])
     ), classes as (
       select r.* from ${table('reference_events')} r join keys k on r.kind = 'class' and k.kind = 'class' and r.key = k.key
     )
     select kind, key, position::text as position, id::text as id, type, recorded_at, occurred_at, region, data from classes
     union all
     select r.kind, r.key, r.position::text, r.id::text, r.type, r.recorded_at, r.occurred_at, r.region, r.data
       from ${table('reference_events')} r join keys k on r.kind = 'institution' and k.kind = 'institution' and r.key = k.key
     union all
     select r.kind, r.key, r.position::text, r.id::text, r.type, r.recorded_at, r.occurred_at, r.region, r.data
       from ${table('reference_events')} r
      where r.kind = 'programme' and r.key in (select data->>'programme' from classes)`,
    [workers],
  )
  const memberKeys = await query<{ worker: string; kind: string; key: string }>(
    `select worker, kind, key from ${table('members')} where worker = any($1::text[])`,
    [workers],
  )
  const refsByKey = new Map<string, FoldEvent[]>()
  for (const r of refs)
    refsByKey.set(`${r.kind}:${r.key}`, [...(refsByKey.get(`${r.kind}:${r.key}`) ?? []), toFold(r)])
  const programmeOf = new Map<string, string[]>()
  for (const r of refs)
    if (r.kind === 'class') {
      const p = (r.data as { programme?: string }).programme
      if (p) programmeOf.set(r.key, [...(programmeOf.get(r.key) ?? []), p])
    }
  const out = new Map<string, FoldEvent[]>()
  for (const r of own) out.set(r.worker!, [...(out.get(r.worker!) ?? []), toFold(r)])
  for (const m of memberKeys) {
    const list = out.get(m.worker) ?? []
    list.push(...(refsByKey.get(`${m.kind}:${m.key}`) ?? []))
    if (m.kind === 'class')
      for (const p of programmeOf.get(m.key) ?? []) list.push(...(refsByKey.get(`programme:${p}`) ?? []))
    out.set(m.worker, list)
  }
  return out
}

/**
 * The archive of one worker as of a past instant (transaction time), folded again from the
 * stored facts. The current archive is the stored fold (see `ArchiveReads`).
 */
export async function readArchiveAsOf(
  query: Query,
  table: (name: string) => string,
  worker: string,
  asOf: string,
): Promise<WorkerArchive> {
  const facts = await loadFacts(query, table, [worker])
  return foldWorkerArchive(worker, facts.get(worker) ?? [], { asOf })
}

/** The archive of one worker: the stored fold, or, as of a past instant, folded again from the facts. */
export async function readArchive(
  query: Query,
  table: (name: string) => string,
  worker: string,
  asOf?: string,
): Promise<WorkerArchive> {
  if (asOf !== undefined) return readArchiveAsOf(query, table, worker, asOf)
  const [row] = await query<{ doc: WorkerArchive }>(
    `select doc from ${table('archives')} where worker = $1`,
    [worker],
  )
  return row?.doc ?? foldWorkerArchive(worker, [])
}
