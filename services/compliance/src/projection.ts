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
  referenceKeys,
  referencesByKey,
} from '@trec/projections/worker-facts'
import {
  awaitsEvidence,
  type BackingRuleSet,
  type ComplianceOptions,
  chinaDay,
  complianceInertTypes,
  complianceRecordTypes,
  complianceReferenceTypes,
  complianceTimedTypes,
  complianceWorkerTypes,
  type FoldEvent,
  foldWorkerCompliance,
  neverQuiet,
  packComplianceData,
  type StoredFoldRow,
  slimData,
  unpackComplianceData,
} from '@trec/readmodels'

// The compliance read model: every payment with its backing (凡补必进), every completion with
// the facts the KPIs count, and every advance, for reconciliation. Like the archive, it keeps the
// facts its folds read (the worker's events slimmed of sealed fields, and the class and programme
// facts) and folds a worker again (`foldWorkerCompliance`) whenever any fact it reads arrives, so
// the rows depend only on which events have arrived, never on their order or on redelivery (the
// fact tables and their writes are shared with the archive: `@trec/projections/worker-facts`).
// Only workers with a completion or a payment have rows (`complianceRecordTypes`), so only they
// are folded: the face checks and enrolments that come before a worker's first completion, most
// of the feed, are stored as facts without a fold each. Nor is a worker folded again for facts
// that cannot change its rows: those of `complianceInertTypes` past its `quietAfter` (after its
// last payment, no payment awaiting evidence), such as the face checks after its completion.
// A worker is folded at most once per batch, after all the batch's facts are stored.
//
// The subsidy rule sets payments are judged by: those published as events (SubsidyRuleSetPublished
// and Amended, kept as reference rows, every version), and any given in the options. A version
// never changes once published, so a payment is judged by the exact `{ id, version }` it cites.

const workerTypes = new Set<string>(complianceWorkerTypes)
/** A worker event's type as kept: its index in `complianceWorkerTypes`. */
const typeCode = new Map<string, number>(complianceWorkerTypes.map((t, i) => [t, i]))
const recordCodes = new Set<number>(complianceRecordTypes.map((t) => typeCode.get(t)!))
const inertCodes = new Set<number>([...complianceInertTypes].map((t) => typeCode.get(t)!))
const inertCodeList = [...inertCodes]
const paidCode = typeCode.get('SubsidyPaid')!
const referenceTypes = new Set<string>(complianceReferenceTypes)
const ruleSetTypes = new Set<string>(['SubsidyRuleSetPublished', 'SubsidyRuleSetAmended'])

/** Every rule-set version published in the store (a few per region): payments are judged by the one they cite. */
async function publishedRuleSets(query: Query, table: (name: string) => string): Promise<BackingRuleSet[]> {
  const rows = await query<{ data: BackingRuleSet }>(
    `select data from ${table('reference_events')} where kind = 'ruleset' order by position`,
  )
  return rows.map((r) => r.data)
}

export interface ComplianceProjectionOptions extends ComplianceOptions {
  /**
   * Bump when the rules or the window change (default 5; version 2 added the recorded workers, so
   * a version 1 read model is rebuilt; version 3 keeps of each worker event only what the fold reads;
   * version 4 reads the recovery accounts a worker owes; version 5 reads card taps, 持卡参训;
   * version 6 keeps what a worker's `quietAfter` reads in its payments' columns, and the columns
   * of the payments list's summary in an index; version 7 counts the payments per region, quarter
   * and backing in `payment_counts`, which the summary reads instead of the payments; version 8
   * keeps the class a worker event names as a 64-bit key and a payment's cited evidence as one
   * string, and indexes the worker events by their worker's key alone, not by key and position).
   */
  version?: number
}

export function complianceProjection(options: ComplianceProjectionOptions): Projection {
  // Version 1's tables have no `recorded_workers`: under that name, a worker recorded before would
  // never be folded again.
  if (options.version !== undefined && options.version < 2)
    throw new Error('the compliance projection starts at version 2 (version 1 had no recorded_workers)')
  return {
    name: 'compliance',
    version: options.version ?? 8,
    tables: {
      // Every worker with facts, under a 64-bit key (`hashtextextended`) that keys their facts: a
      // narrow key keeps the facts' index small. Two workers with one key would share facts: the
      // unique key refuses the second. `recorded`: a completion or a payment, the only workers
      // whose fold yields rows.
      workers: 'worker text primary key, key int8 not null unique, recorded boolean not null',
      // Of each worker event, what the fold reads (`packComplianceData`): its id and type (the index
      // in `complianceWorkerTypes`) for the evidence a payment cites, the class it names as a 64-bit
      // key (`hashtextextended`, read back through the worker's `members` rows), the values of the
      // other fields the checks read, and the time and region only of the types whose time the fold
      // reads (`complianceTimedTypes`). Indexed by the worker's key alone (`indexes`): the entries
      // of one key are kept as one, a quarter of the size of a (key, position) index; a second
      // copy of an event is left out by the insert instead (`newest_event`). Columns widest
      // first: no padding between them.
      worker_events: `key int8 not null, position int8 not null, id uuid not null, class int8, type int2 not null,
        occurred_at text, region text, data json not null`,
      // One row: the greatest position of the worker events kept (no event above it can be a copy).
      newest_event: 'newest boolean primary key check (newest), position int8 not null',
      reference_events: factTables.reference_events,
      // Looked up both ways: a worker's classes (their facts) and a class's workers (to fold again).
      members:
        'class text not null, worker text not null, primary key (class, worker), unique (worker, class)',
      programme_classes: factTables.programme_classes,
      // The unique constraints are there for their indexes: by id, by reference, by claim, by quarter.
      // `position` and `awaiting` (it cites an event not in the record yet) give a worker's
      // `quietAfter` without reading the records.
      payments: `worker text not null, payment uuid not null unique, claim text not null, payment_ref text not null,
        quarter text not null, region text, paid_on text not null, backed boolean not null, record jsonb not null,
        position int8 not null, awaiting boolean not null,
        primary key (worker, payment), unique (payment_ref, payment), unique (claim, payment),
        unique (quarter, payment)`,
      // How many payments each region, quarter and backing has (region '' when the payment has none),
      // kept in step with `payments` as each worker is folded: the payments list's summary sums a
      // few of these rows instead of counting every payment of its filter.
      payment_counts:
        'region text not null, quarter text not null, backed boolean not null, n int8 not null, primary key (region, quarter, backed)',
      completions: `worker text not null, completion uuid not null unique, class text not null, quarter text not null,
        region text, record jsonb not null, primary key (worker, completion), unique (quarter, completion)`,
      advances: `id uuid primary key, class text not null, provider text not null, payment_ref text not null,
        amount int8 not null, paid_on text not null, region text not null, unique (payment_ref, id)`,
    },
    indexes: { worker_events: ['key'] },
    async apply(events, ctx) {
      await applyCompliance(events, ctx, options)
    },
  }
}

async function applyCompliance(
  events: RecordedEvent[],
  { query, table }: ProjectionContext,
  options: ComplianceOptions,
): Promise<void> {
  const facts: NewFacts = { workers: [], references: [], programmeClasses: [] }
  const own: WorkerFactRow[] = []
  const members = new Map<string, { class: string; worker: string }>()
  const advances: object[] = []
  for (const recorded of events) {
    if (!isEventType(recorded.type)) continue
    if (recorded.type === 'AdvancePaid') {
      const e = decodeRecordedOnce(recorded)
      if (e.type !== 'AdvancePaid') continue
      advances.push({
        id: e.id,
        class: e.data.class,
        provider: e.data.provider,
        payment_ref: e.data.paymentRef,
        amount: e.data.amount,
        paid_on: chinaDay(e.occurredAt),
        region: e.region,
      })
      continue
    }
    if (ruleSetTypes.has(recorded.type)) {
      // A rule set published or amended through the API: payments citing it come later in the feed.
      const e = decodeRecordedOnce(recorded)
      if (e.type === 'SubsidyRuleSetPublished' || e.type === 'SubsidyRuleSetAmended') {
        const { id, version } = e.data.ruleSet
        facts.references.push({
          ...factRow(e),
          data: e.data.ruleSet,
          kind: 'ruleset',
          key: `${id}@${version}`,
        })
      }
      continue
    }
    if (!(workerTypes.has(recorded.type) || referenceTypes.has(recorded.type))) continue
    const e = decodeRecordedOnce(recorded)
    if (e.type === 'ClassOpeningApplied') {
      facts.references.push({ ...factRow(e), kind: 'class', key: e.data.class })
      facts.programmeClasses.push({ programme: e.data.programme, class: e.data.class })
    } else if (e.type === 'ClassOpened')
      facts.references.push({ ...factRow(e), kind: 'class', key: e.data.class })
    else if (e.type === 'ProgrammePublished')
      facts.references.push({ ...factRow(e), kind: 'programme', key: e.data.programme })
    else {
      const data = e.data as { worker?: string; class?: string }
      // A recovery account an institution owes (an advance shortfall) is no worker's.
      if (data.worker === undefined) continue
      const timed = complianceTimedTypes.has(e.type)
      const packed = packComplianceData(e.type, slimData(e.type, e.data))
      own.push({
        worker: data.worker,
        position: e.position.toString(),
        id: e.id,
        type: typeCode.get(e.type)!,
        class: packed.class,
        occurred_at: timed ? e.occurredAt : null,
        region: timed ? e.region : null,
        data: packed.data,
      })
      if (typeof data.class === 'string')
        members.set(`${data.class}\n${data.worker}`, { class: data.class, worker: data.worker })
    }
  }
  await insertRecordset(
    query,
    table('advances'),
    'id uuid, class text, provider text, payment_ref text, amount int8, paid_on text, region text',
    advances,
  )
  if (own.length + facts.references.length === 0) return

  await insertFacts(query, table, facts)
  if (own.length > 0) {
    // Only new workers and those recorded now: an upsert would lock every row it finds.
    const recorded = new Map<string, boolean>()
    for (const r of own) recorded.set(r.worker, recorded.get(r.worker) === true || recordCodes.has(r.type))
    await query(
      `insert into ${table('workers')} as t (worker, key, recorded)
       select worker, hashtextextended(worker, 0), recorded from unnest($1::text[], $2::bool[]) as x(worker, recorded)
        where not exists (select 1 from ${table('workers')} w where w.worker = x.worker and (w.recorded or not x.recorded))
       on conflict (worker) do update set recorded = true where excluded.recorded and not t.recorded`,
      [[...recorded.keys()], [...recorded.values()]],
    )
    // An event already kept (delivered again through another lane: the runner drops one
    // redelivered in its own lane before it gets here) is left out. Only an event at or below the
    // newest kept can be one, so only those are looked up among their worker's.
    // Sent as one array per column (`unnest`), not as JSON objects: the names of the columns
    // repeated in every row were a third of the bytes of a batch's statements. Each column goes as
    // one JSON array text split by the server (as the event store sends payloads), not as an array
    // literal: the driver builds those by concatenation and escapes every element (two regex
    // passes, a copy each), about 2 KB of garbage an event; `json_array_elements` keeps each
    // `data` element's text as sent, so the rows are the same.
    await query(
      `with ins as (
         insert into ${table('worker_events')} (key, position, id, class, type, occurred_at, region, data)
         select k, x.position, x.id, hashtextextended(x.class, 0), x.type, x.occurred_at, x.region, x.data
           from (select w as worker, p::int8 as position, i::uuid as id, c as class, t::int2 as type,
                        o as occurred_at, r as region, d as data
                   from rows from (json_array_elements_text($1::json), json_array_elements_text($2::json),
                          json_array_elements_text($3::json), json_array_elements_text($4::json),
                          json_array_elements_text($5::json), json_array_elements_text($6::json),
                          json_array_elements_text($7::json), json_array_elements($8::json)) as j(w, p, i, c, t, o, r, d)
                ) as x
           cross join hashtextextended(x.worker, 0) as k
          where x.position > coalesce((select position from ${table('newest_event')}), 0)
             or not exists (select 1 from ${table('worker_events')} e where e.key = k and e.position = x.position)
         returning position)
       insert into ${table('newest_event')} as t (newest, position)
       select true, max(position) from ins having count(*) > 0
       on conflict (newest) do update set position = greatest(t.position, excluded.position)`,
      columnsOf(own),
    )
  }
  if (members.size > 0) {
    const pairs = [...members.values()]
    await query(
      `insert into ${table('members')} select * from unnest($1::text[], $2::text[]) on conflict do nothing`,
      [pairs.map((m) => m.class), pairs.map((m) => m.worker)],
    )
  }

  // A worker's own new facts call for a fold unless all of them are of the types that change its
  // rows only before its last payment (`complianceInertTypes`) and come after its `quietAfter`.
  const affected = new Set<string>()
  const inertFrom = new Map<string, bigint>()
  for (const r of own) {
    if (affected.has(r.worker)) continue
    if (!inertCodes.has(r.type)) {
      affected.add(r.worker)
      inertFrom.delete(r.worker)
      continue
    }
    const position = BigInt(r.position)
    const least = inertFrom.get(r.worker)
    if (least === undefined || position < least) inertFrom.set(r.worker, position)
  }
  const classes = referenceKeys(facts, 'class')
  const programmes = referenceKeys(facts, 'programme')
  if (classes.length + programmes.length > 0) {
    const rows = await query<{ worker: string }>(
      `select distinct worker from ${table('members')}
        where class = any($1::text[])
           or class in (select class from ${table('programme_classes')} where programme = any($2::text[]))`,
      [classes, programmes],
    )
    for (const r of rows) affected.add(r.worker)
  }
  if (inertFrom.size > 0) {
    // `quietAfter` of each worker's rows: its last payment, or never while one awaits evidence
    // (no payment: 0, as no completion reads those types).
    const quiet = await query<{ worker: string; position: string; awaiting: boolean }>(
      `select worker, max(position)::text as position, bool_or(awaiting) as awaiting
         from ${table('payments')} where worker = any($1::text[]) group by worker`,
      [[...inertFrom.keys()]],
    )
    const after = new Map(quiet.map((q) => [q.worker, q.awaiting ? neverQuiet : BigInt(q.position)]))
    for (const [worker, least] of inertFrom) if (least <= (after.get(worker) ?? 0n)) affected.add(worker)
  }
  const workers = (
    await query<{ worker: string }>(
      `select worker from ${table('workers')} where worker = any($1::text[]) and recorded order by worker`,
      [[...affected]],
    )
  ).map((r) => r.worker)
  const rules =
    workers.length === 0 ? options.rules : [...options.rules, ...(await publishedRuleSets(query, table))]
  for (const chunk of chunked(workers)) {
    const stored = await loadFacts(query, table, chunk)
    const payments: ({ payment: string } & Record<string, unknown>)[] = []
    const completions: ({ completion: string } & Record<string, unknown>)[] = []
    for (const worker of chunk) {
      const folded = foldWorkerCompliance(worker, stored.get(worker) ?? [], { ...options, rules })
      for (const p of folded.payments)
        payments.push({
          worker,
          payment: p.payment,
          claim: p.claim,
          payment_ref: p.paymentRef,
          quarter: p.quarter,
          region: p.region,
          paid_on: p.paidOn,
          backed: p.backed,
          record: p,
          position: p.position,
          awaiting: awaitsEvidence(p),
        })
      for (const c of folded.completions)
        completions.push({
          worker,
          completion: c.completion,
          class: c.class,
          quarter: c.quarter,
          region: c.region,
          record: c,
        })
    }
    await countPayments(query, table, chunk, payments)
    // A worker folded again mostly gets the rows it had: only new and changed rows are written
    // (no dead row, no index entry for an unchanged one), and rows the fold no longer gives go.
    // An unchanged row is left out before the upsert: `on conflict do update … where` locks the
    // row it finds even when the condition is false (a heap write and a WAL record each).
    await query(
      `delete from ${table('payments')} where worker = any($1::text[]) and not (payment = any($2::uuid[]))`,
      [chunk, payments.map((p) => p.payment)],
    )
    await query(
      `delete from ${table('completions')} where worker = any($1::text[]) and not (completion = any($2::uuid[]))`,
      [chunk, completions.map((c) => c.completion)],
    )
    await insertRecordset(
      query,
      `${table('payments')} as t`,
      `worker text, payment uuid, claim text, payment_ref text, quarter text, region text, paid_on text, backed boolean,
       record jsonb, position int8, awaiting boolean`,
      payments,
      `where not exists (select 1 from ${table('payments')} p
                          where p.worker = x.worker and p.payment = x.payment and p.record = x.record)
       on conflict (worker, payment) do update set claim = excluded.claim, payment_ref = excluded.payment_ref,
         quarter = excluded.quarter, region = excluded.region, paid_on = excluded.paid_on,
         backed = excluded.backed, record = excluded.record, position = excluded.position, awaiting = excluded.awaiting
       where t.record is distinct from excluded.record`,
    )
    await insertRecordset(
      query,
      `${table('completions')} as t`,
      'worker text, completion uuid, class text, quarter text, region text, record jsonb',
      completions,
      `where not exists (select 1 from ${table('completions')} c
                          where c.worker = x.worker and c.completion = x.completion and c.record = x.record)
       on conflict (worker, completion) do update set class = excluded.class, quarter = excluded.quarter,
         region = excluded.region, record = excluded.record
       where t.record is distinct from excluded.record`,
    )
  }
}

/**
 * Moves `payment_counts` from what `workers` have in `payments` now to `folded`, the rows they are
 * about to have: the difference per region, quarter and backing is added to the counts.
 */
async function countPayments(
  query: Query,
  table: (name: string) => string,
  workers: readonly string[],
  folded: readonly Record<string, unknown>[],
): Promise<void> {
  const delta = new Map<string, { region: string; quarter: string; backed: boolean; n: number }>()
  const add = (region: unknown, quarter: unknown, backed: unknown, n: number) => {
    const row = {
      region: typeof region === 'string' ? region : '',
      quarter: String(quarter),
      backed: backed === true,
    }
    const key = `${row.region}|${row.quarter}|${row.backed}`
    const at = delta.get(key) ?? { ...row, n: 0 }
    at.n += n
    delta.set(key, at)
  }
  const before = await query<{ region: string | null; quarter: string; backed: boolean; n: string }>(
    `select region, quarter, backed, count(*)::text as n from ${table('payments')}
      where worker = any($1::text[]) group by region, quarter, backed`,
    [workers],
  )
  for (const r of before) add(r.region, r.quarter, r.backed, -Number(r.n))
  for (const p of folded) add(p.region, p.quarter, p.backed, 1)
  const changes = [...delta.values()].filter((d) => d.n !== 0)
  await insertRecordset(
    query,
    `${table('payment_counts')} as t`,
    'region text, quarter text, backed boolean, n int8',
    changes,
    'on conflict (region, quarter, backed) do update set n = t.n + excluded.n',
  )
  // A count that reached 0 goes, so the table is the same whatever order the events came in.
  if (changes.some((d) => d.n < 0)) await query(`delete from ${table('payment_counts')} where n = 0`)
}

/** The rows as the parameters of the worker events' insert: one JSON array text per column. */
function columnsOf(rows: readonly WorkerFactRow[]): string[] {
  const n = rows.length
  const columns = Array.from({ length: 8 }, () => new Array<unknown>(n))
  for (let i = 0; i < n; i++) {
    const r = rows[i]!
    columns[0]![i] = r.worker
    columns[1]![i] = r.position
    columns[2]![i] = r.id
    columns[3]![i] = r.class
    columns[4]![i] = r.type
    columns[5]![i] = r.occurred_at
    columns[6]![i] = r.region
    columns[7]![i] = r.data
  }
  return columns.map((column) => JSON.stringify(column))
}

/** A row of `worker_events`: what the fold reads of one worker event. */
interface WorkerFactRow {
  worker: string
  position: string
  id: string
  /** Its index in `complianceWorkerTypes`. */
  type: number
  /** The class it names: the name as written, its key (`hashtextextended`, as text) as read. */
  class: string | null
  occurred_at: string | null
  region: string | null
  data: unknown
}

/** The facts each worker's fold reads: their events, and the facts of their classes and those classes' programmes. */
export async function loadFacts(
  query: Query,
  table: (name: string) => string,
  workers: readonly string[],
): Promise<Map<string, FoldEvent[]>> {
  // The inert types are read only for a payment (`complianceInertTypes`): most folds come before
  // the worker's first payment (its completion, assessment, certificate, claim), and would read
  // and unpack every face check for nothing. They are loaded only for the workers with a payment.
  const eventRows = (types: string, of: readonly string[]) =>
    query<WorkerFactRow>(
      `select w.worker, e.position::text as position, e.id::text as id, e.class::text as class, e.type,
              e.occurred_at, e.region, e.data
         from ${table('workers')} w join ${table('worker_events')} e on e.key = w.key
        where w.worker = any($1::text[]) and e.type ${types}`,
      [of, inertCodeList],
    )
  const rows = await eventRows('<> all($2::int2[])', workers)
  const paid = new Set<string>()
  for (const r of rows) if (r.type === paidCode) paid.add(r.worker)
  if (paid.size > 0) for (const r of await eventRows('= any($2::int2[])', [...paid])) rows.push(r)
  const memberRows = await query<{ worker: string; class: string; key: string }>(
    `select worker, class, hashtextextended(class, 0)::text as key from ${table('members')}
      where worker = any($1::text[])`,
    [workers],
  )
  // A worker event names one of its worker's classes (each is a member of the classes its events
  // name) by the class's key.
  const classOf = new Map<string, string>()
  for (const m of memberRows) {
    const at = `${m.worker}\n${m.key}`
    if (classOf.has(at))
      throw new Error(`two classes of worker ${m.worker} have one key: ${m.class}, ${classOf.get(at)}`)
    classOf.set(at, m.class)
  }
  const classNamed = (r: WorkerFactRow): string | null => {
    if (r.class === null) return null
    const name = classOf.get(`${r.worker}\n${r.class}`)
    if (name === undefined)
      throw new Error(`worker ${r.worker} has an event naming a class it is not a member of`)
    return name
  }
  const out = new Map<string, FoldEvent[]>()
  for (const r of rows) {
    let list = out.get(r.worker)
    if (!list) {
      list = []
      out.set(r.worker, list)
    }
    const type = complianceWorkerTypes[r.type]!
    list.push({
      id: r.id,
      type,
      position: BigInt(r.position),
      // Not kept: the fold reads no event's recording time.
      recordedAt: '',
      occurredAt: r.occurred_at ?? '',
      ...(r.region === null ? {} : { region: r.region }),
      data: unpackComplianceData(type, { class: classNamed(r), data: r.data }, r.worker),
    })
  }
  // A class's schedule (ClassOpened, its largest fact) is read only for a payment too: loaded only
  // for the classes of the workers with one.
  const refs = await query<StoredFoldRow>(
    `with classes as (select distinct class from ${table('members')} where worker = any($1::text[]))
     select r.kind, r.key, r.position::text as position, r.id::text as id, r.type, r.recorded_at, r.occurred_at, r.region, r.data
       from ${table('reference_events')} r
      where (r.kind = 'class' and r.key in (select class from classes) and (r.type <> 'ClassOpened' or r.key in (
               select class from ${table('members')} where worker = any($2::text[]))))
         or (r.kind = 'programme' and r.key in (
               select programme from ${table('programme_classes')} where class in (select class from classes)))`,
    [workers, [...paid]],
  )
  const byKey = referencesByKey(refs)
  const programmesOf = new Map<string, Set<string>>()
  for (const r of refs) {
    const programme = (r.data as { programme?: unknown }).programme
    if (r.kind === 'class' && typeof programme === 'string')
      programmesOf.set(r.key!, (programmesOf.get(r.key!) ?? new Set()).add(programme))
  }
  for (const m of memberRows) {
    const list = out.get(m.worker) ?? []
    list.push(...(byKey.get(`class:${m.class}`) ?? []))
    for (const p of programmesOf.get(m.class) ?? []) list.push(...(byKey.get(`programme:${p}`) ?? []))
    out.set(m.worker, list)
  }
  return out
}
