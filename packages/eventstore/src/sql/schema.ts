// The PostgreSQL schema, shared by the pg and PGlite adapters (same SQL on both).
//
// Gap safety (a subscriber that checkpointed position p never later sees a position ≤ p):
// a sequence hands out numbers when rows are inserted, but rows become visible when their
// transaction commits, and commits finish out of order. A reader that advances past a
// visible number can skip a smaller one that commits later. We avoid it in two steps:
//
// 1. Each event's global position is (writer's transaction id << 20) | ordinal, where the
//    transaction id is the 64-bit, epoch-extended `pg_current_xact_id()` and the ordinal
//    counts the events that transaction wrote (at most 2^20). Positions therefore sort by
//    transaction, then by order within it.
// 2. The feed only returns rows whose transaction id is below `pg_snapshot_xmin` of the
//    reader's snapshot: the oldest transaction still running. Every transaction below it
//    has finished (committed or rolled back), and a transaction that has not yet taken an
//    id will take one at or above it. So once a reader has seen position p, every row that
//    will ever exist below p already exists and is visible: nothing can appear behind it.
//
// This is the "xid8 + snapshot xmin" technique (used by Emmett's PostgreSQL store and the
// postgresql-event-sourcing reference); encoding the pair into one bigint keeps the
// checkpoint a single ordered number. The cost: a transaction left open anywhere in the
// database holds the feed back until it ends; set `idle_in_transaction_session_timeout`.
// Positions are not dense: holes are other transactions' ids, which is harmless.

export function schemaSql(schema: string): string {
  const s = quoteIdent(schema)
  return `
create schema if not exists ${s};

create table if not exists ${s}.streams (
  name text primary key,
  category text not null,
  revision bigint not null
);

-- data and metadata are kept as the exact JSON text that was appended (type json, not jsonb):
-- what an auditor hashes is what the writer sent, and reading it back needs no conversion.
create table if not exists ${s}.events (
  position bigint primary key,
  id uuid not null unique,
  stream text not null,
  revision bigint not null,
  type text not null,
  data json not null,
  metadata json not null,
  recorded_at timestamptz not null,
  unique (stream, revision)
);

-- An append's answer, as one int8 array: [revision, written (1 or 0), position, ...].

-- The answer an earlier, committed append of exactly these events gave, or null if none of
-- them is stored. Raises TR410 when an id is stored with other content or in another stream.
create or replace function ${s}.stored_append(p_stream text, p_ids uuid[], p_types text[], p_data json[], p_meta json[])
returns int8[] language plpgsql stable as $fn$
declare
  v_found int;
  v_result int8[];
begin
  select count(*) into v_found from ${s}.events ev where ev.id = any(p_ids);
  if v_found = 0 then
    return null;
  end if;
  if v_found = cardinality(p_ids) and not exists (
    select 1 from unnest(p_ids, p_types, p_data, p_meta) as t(id, type, data, meta)
    left join ${s}.events ev on ev.id = t.id
    where ev.id is null or ev.stream <> p_stream or ev.type <> t.type
       or ev.data::jsonb <> t.data::jsonb or ev.metadata::jsonb <> t.meta::jsonb
  ) then
    select array[max(ev.revision), 0] || array_agg(ev.position order by ev.position) into v_result
      from ${s}.events ev where ev.id = any(p_ids);
    return v_result;
  end if;
  raise exception using errcode = 'TR410', message = 'event id reused with different content',
    detail = (select ev.id::text from ${s}.events ev where ev.id = any(p_ids) limit 1);
end
$fn$;

-- p_expected: null = any, -1 = the stream must not exist, n >= 0 = its last revision is n.
-- p_continue: this transaction has already appended (a multi-stream append), so positions
-- continue after its earlier events. Raises TR409 (conflict, detail = actual revision).
-- The hot path is two statements; idempotency is checked only when the stream has moved or
-- an id collides (the caller then asks stored_append), not on every append.
create or replace function ${s}.append(p_stream text, p_category text, p_expected bigint,
  p_ids uuid[], p_types text[], p_data json[], p_meta json[], p_continue boolean)
returns int8[] language plpgsql as $fn$
declare
  v_count int := cardinality(p_ids);
  v_revision bigint;
  v_first bigint;
  v_stored int8[];
begin
  if v_count = 0 then
    select st.revision into v_revision from ${s}.streams st where st.name = p_stream;
    v_revision := coalesce(v_revision, -1);
    if (p_expected = -1 and v_revision <> -1) or (p_expected >= 0 and v_revision <> p_expected) then
      raise exception using errcode = 'TR409', message = 'wrong expected revision', detail = v_revision::text,
        hint = p_stream;
    end if;
    return array[v_revision, 0];
  end if;

  if p_expected is null then
    insert into ${s}.streams as st values (p_stream, p_category, v_count - 1)
      on conflict (name) do update set revision = st.revision + v_count
      returning st.revision into v_revision;
  elsif p_expected = -1 then
    insert into ${s}.streams as st values (p_stream, p_category, v_count - 1)
      on conflict (name) do nothing
      returning st.revision into v_revision;
  else
    update ${s}.streams st set revision = st.revision + v_count
      where st.name = p_stream and st.revision = p_expected
      returning st.revision into v_revision;
  end if;
  if v_revision is null then
    -- The stream is not where the writer expected: a retry of what already committed, or a conflict.
    v_stored := ${s}.stored_append(p_stream, p_ids, p_types, p_data, p_meta);
    if v_stored is not null then
      return v_stored;
    end if;
    select st.revision into v_revision from ${s}.streams st where st.name = p_stream;
    raise exception using errcode = 'TR409', message = 'wrong expected revision',
      detail = coalesce(v_revision, -1)::text, hint = p_stream;
  end if;

  v_first := pg_current_xact_id()::text::int8 << 20;
  if p_continue then
    select coalesce(max(ev.position) + 1, v_first) into v_first from ${s}.events ev
      where ev.position >= v_first and ev.position < v_first + 1048576;
  end if;
  insert into ${s}.events (position, id, stream, revision, type, data, metadata, recorded_at)
    select v_first + t.o - 1, t.id, p_stream, v_revision - v_count + t.o, t.type, t.data, t.meta,
           date_trunc('milliseconds', now())
    from unnest(p_ids, p_types, p_data, p_meta) with ordinality as t(id, type, data, meta, o);
  if v_count = 1 then
    return array[v_revision, 1, v_first];
  end if;
  return array[v_revision, 1] || array(select generate_series(v_first, v_first + v_count - 1));
end
$fn$;

-- Several streams in one statement (one round trip, one transaction): part k holds events
-- p_lo[k]..p_hi[k] of the flat arrays. Answers one row per part, in order.
create or replace function ${s}.append_many(p_streams text[], p_categories text[], p_expected int8[],
  p_lo int[], p_hi int[], p_ids uuid[], p_types text[], p_data json[], p_meta json[])
returns setof int8[] language plpgsql as $fn$
declare
  v_first bigint;
begin
  if exists (select 1 from unnest(p_expected) as e(x) where e.x is not null) then
    for k in 1 .. cardinality(p_streams) loop
      return next ${s}.append(p_streams[k], p_categories[k], p_expected[k],
        p_ids[p_lo[k]:p_hi[k]], p_types[p_lo[k]:p_hi[k]], p_data[p_lo[k]:p_hi[k]], p_meta[p_lo[k]:p_hi[k]], k > 1);
    end loop;
    return;
  end if;
  -- Every part appends whatever its stream holds (no expected revision): one upsert of all the
  -- streams (in the order given, so writers that sort their streams lock them in one order) and
  -- one insert of all the events, instead of three statements per part. Positions and
  -- revisions come out as the loop above would give them: positions in the order of the flat
  -- arrays from the transaction's first, each stream's events numbered on from its revision.
  v_first := pg_current_xact_id()::text::int8 << 20;
  return query
  with parts as (
    select k, p_streams[k] as name, p_categories[k] as category, p_lo[k] as lo, p_hi[k] - p_lo[k] + 1 as n
      from generate_subscripts(p_streams, 1) as g(k)
  ), moved as (
    insert into ${s}.streams as st (name, category, revision)
      select p.name, p.category, p.n - 1 from parts p where p.n > 0 order by p.k
      on conflict (name) do update set revision = st.revision + excluded.revision + 1
      returning st.name, st.revision
  ), written as (
    -- Run once whether or not the answer below reads it, as every data-modifying WITH part is.
    insert into ${s}.events (position, id, stream, revision, type, data, metadata, recorded_at)
      select v_first + t.o - 1, t.id, p.name, m.revision - p.n + (t.o - p.lo) + 1, t.type, t.data, t.meta,
             date_trunc('milliseconds', now())
      from unnest(p_ids, p_types, p_data, p_meta) with ordinality as t(id, type, data, meta, o)
      join parts p on t.o between p.lo and p.lo + p.n - 1
      join moved m on m.name = p.name
      order by t.o
  )
  select case when p.n = 0
           then array[coalesce((select st.revision from ${s}.streams st where st.name = p.name), -1), 0]
           else array[m.revision, 1] || array(select generate_series(v_first + p.lo - 1, v_first + p.lo + p.n - 2))
         end
    from parts p left join moved m on m.name = p.name
    order by p.k;
end
$fn$;
`
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${name}`)
  return `"${name}"`
}
