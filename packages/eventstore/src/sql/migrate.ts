import { createHash } from 'node:crypto'
import type { SqlExecutor } from './executor.ts'
import { quoteIdent } from './schema.ts'

/**
 * Runs a schema's creation script unless this very script already ran: the script's SHA-256 is
 * written as the comment of the schema it creates, in the same transaction, and a start whose
 * script has the same digest skips it with one query. A restart of an unchanged system thus
 * costs a catalogue lookup rather than every `create ... if not exists` and `create or replace
 * function` again (half a second on the embedded store); a changed script, or a schema dropped
 * since, runs the script as before. The script must create `schema`; it runs under the advisory
 * lock `lock`, so several processes starting at once are still safe. A role that may not comment
 * on the schema (one a database administrator made and kept) runs the script at every start, as
 * before.
 */
export async function migrateOnce(db: SqlExecutor, schema: string, lock: number, sql: string): Promise<void> {
  const note = `trec schema sha256:${createHash('sha256').update(sql).digest('hex')}`
  const [row] = await db.query<{ note: string | null }>(
    `select obj_description(to_regnamespace($1), 'pg_namespace') as note`,
    [schema],
  )
  if (row?.note === note) return
  await db.script(
    `select pg_advisory_xact_lock(${lock}); ${sql}
;
do $$ begin comment on schema ${quoteIdent(schema)} is '${note}';
exception when insufficient_privilege then null; end $$;`,
  )
}
