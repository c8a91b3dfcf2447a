// The audit log's tables. PostgreSQL and PGlite run the same SQL.
//
// - leaves: one row per leaf, in feed order: the event it is (id and global position), its leaf
//   hash (level 0 of the tree), and what it is about for export selections — the worker, class,
//   claim and region it names (notary/refs.ts) and when it happened. Indexes serve the
//   selections, and are the main cost of a leaf after its hash, so they are as cheap as can be:
//   hash indexes for the worker, class and claim (the selections only ask for equality), and a
//   BRIN index over when the event happened, which follows leaf order closely (a region's period
//   is read through it, the region filtered). Loading 300,000 leaves took about a quarter less time with
//   these than with B-trees over worker, class, claim, and region and time.
//   Event ids are random UUIDs, so an index over them takes inserts all over a growing tree: on
//   PGlite the notary took 40–51 µs per event at 300,000 leaves with one, 36–37 without. The store
//   already indexes its events by id, so when it can look them up (`readEvents`) the log keeps
//   no such index and finds an event's leaf by the position the store gives. Positions grow with
//   the leaf index, so their unique B-tree only ever inserts at its right edge, and it keeps a
//   feed position from being logged twice. Only a log over a store that cannot look events up
//   by id (KurrentDB) indexes event ids itself.
//   Each leaf row also holds the hashes of the perfect subtrees its append completed (RFC 9162
//   §2.1.2: one per trailing 1-bit of the old size, levels 1, 2, … in `parents`, 32 bytes each).
//   Node (level L, index j) is completed by leaf (j + 1)·2^L − 1, so every perfect-subtree hash
//   of the tree is found by primary key, written once and never changed, without a row of its
//   own: one row per leaf is half the writes of a separate node table. With them, root(m),
//   inclusion and consistency proofs for every m need O(log n) reads (node-store.ts).
// - refs: the rarer facts: the events a leaf cites as evidence, and a second worker or class
//   when an event names two.
// - state: the tree size and the feed position it covers, moved in the same transaction as the
//   rows above, so a restart resumes exactly where the last commit ended.
// - checkpoints: every signed checkpoint, in the order they were signed.
// - cosignatures: the witnesses' cosignature lines of a checkpoint (C2SP tlog-cosignature), one
//   per witness, added as they answer; a checkpoint is handed out with its note followed by them.
//
// Everything but `state` is append-only: a statement trigger refuses UPDATE, DELETE and
// TRUNCATE. It does not make tampering impossible (an owner can drop the trigger); it makes it
// deliberate, and the signed checkpoints make it visible.

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL name: ${name}`)
  return `"${name}"`
}

/** `eventIndex`: whether the log indexes event ids itself (its store cannot look them up). */
export function auditSchemaSql(schema: string, eventIndex: boolean): string {
  const s = quoteIdent(schema)
  const appendOnly = (table: string) => `
create or replace trigger ${table}_append_only before update or delete or truncate on ${s}.${table}
  for each statement execute function ${s}.refuse_change();`
  return `
create schema if not exists ${s};

create table if not exists ${s}.leaves (
  idx bigint primary key,
  event_id uuid not null,
  position bigint not null,
  hash bytea not null,
  parents bytea not null,
  worker text collate "C",
  class text collate "C",
  claim text collate "C",
  region text collate "C",
  occurred_at timestamptz
);
-- the B-trees of earlier versions
drop index if exists ${s}.leaves_by_worker, ${s}.leaves_by_class, ${s}.leaves_by_claim, ${s}.leaves_by_region;
create index if not exists leaves_worker_hash on ${s}.leaves using hash (worker) where worker is not null;
create index if not exists leaves_class_hash on ${s}.leaves using hash (class) where class is not null;
create index if not exists leaves_claim_hash on ${s}.leaves using hash (claim) where claim is not null;
-- the unique index over event ids of earlier versions (looked up first: ALTER TABLE would lock
-- the table against readers at every start)
do $$ begin
  if exists (select from pg_constraint where conname = 'leaves_event_id_key' and conrelid = '${s}.leaves'::regclass) then
    alter table ${s}.leaves drop constraint leaves_event_id_key;
  end if;
end $$;
${eventIndex ? `create index if not exists leaves_by_event on ${s}.leaves (event_id);` : `drop index if exists ${s}.leaves_by_event;`}
create unique index if not exists leaves_by_position on ${s}.leaves (position);
create index if not exists leaves_occurred_brin on ${s}.leaves using brin (occurred_at timestamptz_minmax_multi_ops);

-- kind: e an event it cites as evidence, w a second worker, c a second class
create table if not exists ${s}.refs (
  kind "char" not null,
  key text collate "C" not null,
  idx bigint not null,
  primary key (kind, key, idx)
);

create table if not exists ${s}.state (
  id int primary key check (id = 1),
  size bigint not null,
  feed_position bigint not null,
  updated_at timestamptz not null default now()
);
insert into ${s}.state (id, size, feed_position) values (1, 0, 0) on conflict do nothing;

create table if not exists ${s}.checkpoints (
  seq bigint generated always as identity primary key,
  size bigint not null,
  timestamp_ms bigint not null unique,
  root bytea not null,
  note text not null,
  jws text not null
);
create index if not exists checkpoints_by_size on ${s}.checkpoints (size, seq);

create table if not exists ${s}.cosignatures (
  checkpoint_seq bigint not null references ${s}.checkpoints (seq),
  witness text not null,
  line text not null,
  added_at timestamptz not null default now(),
  primary key (checkpoint_seq, witness)
);

create or replace function ${s}.refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'the audit log is append-only: % on %', tg_op, tg_table_name using errcode = '55000';
end $$;
${['leaves', 'refs', 'checkpoints', 'cosignatures'].map(appendOnly).join('\n')}
`
}
