import { type CursorPosition, TrecError } from '@trec/core'
import type { SqlExecutor } from '@trec/eventstore'
import { z } from 'zod'

// What the oversight lists share: a `region` filter as a 行政区划代码 prefix, and a where clause
// built from the filters given (each a numbered parameter), with the page's cursor condition kept
// apart so the same filter also counts the whole list.

/** A 行政区划代码 prefix of 2, 4 or 6 digits (intersected with the token's region). */
export const regionPrefixQuery = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')

export const forbiddenInstitution = () =>
  new TrecError('TREC_FORBIDDEN', 'the token names no institution', {
    details: { reason: 'the token names no institution' },
  })

export interface SqlWhere {
  readonly params: unknown[]
  /** `column = value`, when a value is given. */
  equals(column: string, value: string | undefined): SqlWhere
  /** `column` under the region prefix, when one is given. */
  regionUnder(column: string, prefix: string | undefined): SqlWhere
  /** A condition without parameters. */
  raw(condition: string): SqlWhere
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
    raw(condition) {
      conditions.push(condition)
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
