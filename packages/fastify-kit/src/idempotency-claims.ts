import { CallGroups, togetherOrAlone, type WaitingCall } from '@trec/core'
import type { SqlExecutor } from '@trec/eventstore'

// The idempotency table's claim (a command taking its key before it runs), taken together with the
// claims of the commands in hand at the same time: one statement per group instead of one per
// command. On the embedded store every statement waits its turn on the one database thread and
// costs about half a millisecond there whatever its size (issue 28). As with the event store's
// grouped appends (@trec/eventstore coalesce.ts), nothing waits on a timer: a claim that finds
// none in flight goes at once, alone; and each caller gets its own outcome: when a group's
// statement fails, every claim of it is made again alone. Each statement is its own transaction,
// committed before its callers are answered, as the single claims were. The answers (an update
// per command after it ran) were grouped the same way and measured slower: 1.3–1.9 ms of the
// database thread per group of about two against 0.35–0.5 ms for one alone, so they stay single.

export interface Claim {
  caller: string
  key: string
  hash: string
}

/** One group per (caller, key): a key claimed twice in one statement is an error (ON CONFLICT). */
function distinctKeys<In extends { caller: string; key: string }, Out>(
  queue: WaitingCall<In, Out>[],
): [WaitingCall<In, Out>[], WaitingCall<In, Out>[]] {
  const group: WaitingCall<In, Out>[] = []
  const rest: WaitingCall<In, Out>[] = []
  const seen = new Set<string>()
  for (const w of queue) {
    const id = `${w.input.caller}\n${w.input.key}`
    if (seen.has(id)) rest.push(w)
    else {
      seen.add(id)
      group.push(w)
    }
  }
  return [group, rest]
}

export function idempotencyClaims(db: SqlExecutor, table: string, abandonAfter: string) {
  // A key is taken when new, or over an attempt abandoned long enough ago (its process died) of
  // the very same request. xmax is 0 on a row this statement inserted, and set on one it took over.
  const claimSql = (rows: string) => `insert into ${table} (caller, key, request_hash) ${rows}
     on conflict (caller, key) do update set request_hash = excluded.request_hash, created_at = now()
       where ${table}.status is null and ${table}.created_at < now() - interval '${abandonAfter}'
         and ${table}.request_hash = excluded.request_hash
     returning caller, key, xmax <> 0 as resumed`
  const claimOne = async (c: Claim) => {
    const [row] = await db.query<{ resumed: boolean }>(claimSql('values ($1, $2, $3)'), [
      c.caller,
      c.key,
      c.hash,
    ])
    return row ? { resumed: row.resumed } : undefined
  }
  const claims = new CallGroups<Claim, { resumed: boolean } | undefined>(
    (group) =>
      togetherOrAlone(
        group,
        async (cs) => {
          const rows = await db.query<{ caller: string; key: string; resumed: boolean }>(
            claimSql(
              'select caller, key, hash from json_to_recordset($1::json) as c(caller text, key text, hash text)',
            ),
            [JSON.stringify(cs)],
          )
          const taken = new Map(rows.map((r) => [`${r.caller}\n${r.key}`, { resumed: r.resumed }]))
          return cs.map((c) => taken.get(`${c.caller}\n${c.key}`))
        },
        claimOne,
      ),
    distinctKeys,
  )

  return {
    /** Takes the key for this request: undefined when it is already taken (answered, running, or another request's). */
    claim: (c: Claim) => claims.call(c),
  }
}
