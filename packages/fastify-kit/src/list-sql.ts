import type { CursorPosition } from '@trec/core'
import type { SqlExecutor } from '@trec/eventstore'

// The where clause of a list's page, built from the filters given and nothing else: each a plain
// condition with a numbered parameter, so the planner (also with a generic plan of a prepared
// statement) can walk the index of the list's order from the cursor on. The form `($1 is null or
// column = $1)` for a filter that may be absent cannot be planned that way. The cursor's condition
// is kept apart, so the same filter also counts the whole list.

export interface SqlWhere {
  readonly params: unknown[]
  /** `column = value`, when a value is given. */
  equals(column: string, value: string | undefined): SqlWhere
  /** `column` under the region prefix, when one is given. */
  regionUnder(column: string, prefix: string | undefined): SqlWhere
  /** A condition, with a value for each `?` in it. */
  raw(condition: string, ...values: unknown[]): SqlWhere
  /** The page's cursor condition (`?` for each part of the position), when there is a cursor. */
  after(condition: string, position: CursorPosition | undefined): SqlWhere
  /** The where clause with the cursor condition (empty when there is no condition at all). */
  sql(): string
  /** The where clause and parameters of the filters alone. */
  filter(): { sql: string; params: unknown[] }
}

export function sqlWhere(): SqlWhere {
  const params: unknown[] = []
  const conditions: string[] = []
  let cursor: string | undefined
  const clause = (parts: string[]) => (parts.length > 0 ? `where ${parts.join(' and ')}` : '')
  const bind = (condition: string, values: readonly unknown[]) => {
    let i = 0
    return condition.replace(/\?/g, () => {
      params.push(values[i++])
      return `$${params.length}`
    })
  }
  const where: SqlWhere = {
    params,
    equals(column, value) {
      if (value !== undefined) conditions.push(bind(`${column} = ?`, [value]))
      return where
    },
    regionUnder(column, prefix) {
      if (prefix !== undefined) conditions.push(bind(`${column} like ? || '%'`, [prefix]))
      return where
    },
    raw(condition, ...values) {
      conditions.push(bind(condition, values))
      return where
    },
    after(condition, position) {
      if (position !== undefined) cursor = bind(condition, position.map(String))
      return where
    },
    sql: () => clause(cursor === undefined ? conditions : [...conditions, cursor]),
    filter: () => ({
      sql: clause(conditions),
      params: params.slice(
        0,
        cursor === undefined ? params.length : params.length - (cursor.match(/\$/g) ?? []).length,
      ),
    }),
  }
  return where
}

/** How many rows of `from` the filters of `where` match (the page's cursor aside). */
export async function totalOf(db: SqlExecutor, from: string, where: SqlWhere): Promise<number> {
  const { sql, params } = where.filter()
  const [row] = await db.query<{ total: string }>(
    `select count(*)::text as total from ${from} ${sql}`,
    params,
  )
  return Number(row?.total ?? 0)
}
