import type { Query } from '@trec/eventstore'

// Batch helpers for the read models: a batch's rows go to the database in one statement per
// table, as one JSON parameter, instead of one statement per event.

export type Columns = Record<string, string>

function recordset(columns: Columns): string {
  return Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ')
}

/** Loads rows whose `keyColumn` is one of `keys`, by key. */
export async function loadRows<T extends Record<string, unknown>>(
  query: Query,
  table: string,
  keyColumn: string,
  keys: Iterable<string>,
): Promise<Map<string, T>> {
  const list = [...new Set(keys)]
  const out = new Map<string, T>()
  if (list.length === 0) return out
  const rows = await query<T>(`select * from ${table} where ${keyColumn} = any($1::text[])`, [list])
  for (const row of rows) out.set(String(row[keyColumn]), row)
  return out
}

/**
 * Inserts rows, or on a conflict over `key` sets the listed columns: by default to the new
 * value, or to the SQL in `merge` (which may name `t.` for the old row and `excluded.` for the new).
 */
export async function upsertRows(
  query: Query,
  table: string,
  columns: Columns,
  key: readonly string[],
  rows: readonly Record<string, unknown>[],
  merge: Record<string, string> = {},
): Promise<void> {
  if (rows.length === 0) return
  const names = Object.keys(columns)
  const updates = names
    .filter((n) => !key.includes(n))
    .map((n) => `${n} = ${merge[n] ?? `excluded.${n}`}`)
    .join(', ')
  await query(
    `insert into ${table} as t (${names.join(', ')})
     select ${names.join(', ')} from jsonb_to_recordset($1::jsonb) as x(${recordset(columns)})
     on conflict (${key.join(', ')}) do ${updates ? `update set ${updates}` : 'nothing'}`,
    [JSON.stringify(rows)],
  )
}
