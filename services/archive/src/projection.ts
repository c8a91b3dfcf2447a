import { decodeRecordedOnce, isEventType } from '@trec/contracts'
import type { Query, RecordedEvent } from '@trec/eventstore'
import type { Projection, ProjectionContext } from '@trec/projections'
import {
  chunked,
  factRow,
  factTables,
  insertFacts,
  insertRecordset,
  type NewFacts,
  ownFacts,
  referenceKeys,
  referencesByKey,
} from '@trec/projections/worker-facts'
import {
  archiveReferenceTypes,
  archiveWorkerTypes,
  type FoldEvent,
  foldWorkerArchive,
  type StoredFoldRow,
  type WorkerArchive,
} from '@trec/readmodels'

// The lifelong archive as a read model. It keeps the facts the archive is folded from (the
// worker's own events, slimmed of sealed personal fields, and the class, programme and
// institution facts they name) and the archive of each worker, folded by `foldWorkerArchive`.
// When any fact arrives, every worker whose archive reads it is folded again from the stored
// facts, so the rows depend only on which events have arrived, not on their order: a rebuild,
// a redelivery or a Kafka feed whose partitions interleave differently all end with the same
// rows. Every insert is keyed by the event id and ignores a second copy. The fact tables and
// their writes are shared with compliance (`@trec/projections/worker-facts`).

const workerTypes = new Set<string>(archiveWorkerTypes)
const referenceTypes = new Set<string>(archiveReferenceTypes)

export const archiveProjection: Projection = {
  name: 'archive',
  // 2: members indexed by worker as well. 3: the recovery accounts a worker owes (issue 26).
  version: 3,
  tables: {
    worker_events: factTables.worker_events,
    reference_events: factTables.reference_events,
    // Which workers' archives read a class's or an institution's facts, and which classes a programme's;
    // looked up both ways (a fact's workers, a worker's facts).
    members: `kind text not null, key text not null, worker text not null, primary key (kind, key, worker),
      unique (worker, kind, key)`,
    programme_classes: factTables.programme_classes,
    archives: 'worker text primary key, doc jsonb not null',
  },
  async apply(events, ctx) {
    await applyArchive(events, ctx)
  },
}

async function applyArchive(events: RecordedEvent[], { query, table }: ProjectionContext): Promise<void> {
  const facts: NewFacts = { workers: [], references: [], programmeClasses: [] }
  const members: { kind: string; key: string; worker: string }[] = []
  for (const recorded of events) {
    if (!isEventType(recorded.type) || !(workerTypes.has(recorded.type) || referenceTypes.has(recorded.type)))
      continue
    const e = decodeRecordedOnce(recorded)
    if (e.type === 'ClassOpeningApplied') {
      facts.references.push({ ...factRow(e), kind: 'class', key: e.data.class })
      facts.programmeClasses.push({ programme: e.data.programme, class: e.data.class })
    } else if (e.type === 'ProgrammePublished')
      facts.references.push({ ...factRow(e), kind: 'programme', key: e.data.programme })
    else if (e.type === 'InstitutionDesignated')
      facts.references.push({ ...factRow(e), kind: 'institution', key: e.data.institution })
    else {
      const worker = (e.data as { worker?: string }).worker
      // A recovery account an institution owes (an advance shortfall) is no worker's.
      if (worker === undefined) continue
      facts.workers.push({ ...factRow(e), worker })
      if (e.type === 'WorkerEnrolled') {
        members.push({ kind: 'class', key: e.data.class, worker })
        members.push({ kind: 'institution', key: e.data.institution, worker })
      } else if (e.type === 'TrainingCompleted') members.push({ kind: 'class', key: e.data.class, worker })
    }
  }
  if (facts.workers.length + facts.references.length === 0) return

  await insertFacts(query, table, facts)
  await insertRecordset(query, table('members'), 'kind text, key text, worker text', members)

  // Every worker whose archive reads one of the new facts.
  const affected = new Set(facts.workers.map((r) => r.worker))
  const classes = referenceKeys(facts, 'class')
  const programmes = referenceKeys(facts, 'programme')
  const institutions = referenceKeys(facts, 'institution')
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
  for (const chunk of chunked([...affected].sort())) {
    const stored = await loadFacts(query, table, chunk)
    const docs = chunk.map((worker) => ({ worker, doc: foldWorkerArchive(worker, stored.get(worker) ?? []) }))
    // An archive the new facts leave as it was (a fact it does not show) is not written again.
    await insertRecordset(
      query,
      `${table('archives')} as t`,
      'worker text, doc jsonb',
      docs,
      'on conflict (worker) do update set doc = excluded.doc where t.doc is distinct from excluded.doc',
    )
  }
}

/**
 * The stored facts each worker's archive is folded from: the worker's events, and the facts of
 * the classes and institutions they name and of those classes' programmes.
 */
export async function loadFacts(
  query: Query,
  table: (name: string) => string,
  workers: readonly string[],
): Promise<Map<string, FoldEvent[]>> {
  const out = await ownFacts(query, table, workers)
  const refs = await query<StoredFoldRow>(
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
  const refsByKey = referencesByKey(refs)
  const programmeOf = new Map<string, string[]>()
  for (const r of refs)
    if (r.kind === 'class') {
      const p = (r.data as { programme?: string }).programme
      if (p) programmeOf.set(r.key!, [...(programmeOf.get(r.key!) ?? []), p])
    }
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
