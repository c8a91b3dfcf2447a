export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL name: ${name}`)
  return `"${name}"`
}

export function runtimeSchemaSql(schema: string): string {
  const s = quoteIdent(schema)
  return `
create schema if not exists ${s};
create table if not exists ${s}.checkpoints (
  name text not null,
  version int not null,
  lanes jsonb not null default '{}',
  source jsonb not null default '{}',
  position bigint not null default 0,
  events bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (name, version)
);
create table if not exists ${s}.active (
  name text primary key,
  version int not null,
  switched_at timestamptz not null default now()
);`
}
