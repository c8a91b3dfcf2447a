import type pg from 'pg'

/**
 * Bytes on disk of every table in `schema`, with its indexes and TOAST
 * (`pg_total_relation_size`), as PostgreSQL reports them now.
 */
export async function schemaBytes(pool: pg.Pool, schema: string): Promise<number> {
  const { rows } = await pool.query<{ bytes: string | null }>(
    `select sum(pg_total_relation_size(c.oid))::bigint as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p', 'm')`,
    [schema],
  )
  return Number(rows[0]?.bytes ?? 0)
}

/** Events in the store's table (a count, not the head position: positions may have gaps). */
export async function storedEvents(pool: pg.Pool, schema: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`select count(*)::bigint as n from "${schema}".events`)
  return Number(rows[0]!.n)
}

export async function dropSchemas(pool: pg.Pool, schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) await pool.query(`drop schema if exists "${schema}" cascade`)
}
