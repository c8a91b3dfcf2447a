// The embedded database's own thread (db-thread.ts starts it): the one owner of the PGlite
// database. It answers the messages of db-thread.ts one statement at a time, in the order PGlite's
// own locks give (a transaction holds the database until its `end` arrives; statements outside it
// wait). An answer is posted only after PGlite has run the statement and written it through to the
// files, so an acknowledged commit is as durable as with PGlite in the calling thread.

import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import type { DbReply, DbRequest, DbThreadOptions } from './db-messages.ts'
import { dbStats, statementKey } from './db-stats.ts'
import { preparedStatements } from './prepared.ts'

const port = parentPort!
const { dataDir, startParams } = workerData as DbThreadOptions
const db = new PGlite(dataDir, { startParams })
const prepared = preparedStatements(db)
const stats = process.env.TREC_DB_STATS ? dbStats(db, process.env.TREC_DB_STATS) : undefined
interface Open {
  tx: Transaction
  /** Lets PGlite's transaction callback return (commit) or throw (roll back). */
  end: (commit: boolean) => void
  /** PGlite's transaction: settles once COMMIT or ROLLBACK has run. */
  finished: Promise<void>
}
const transactions = new Map<number, Open>()

/** A rollback asked for by the caller: PGlite rolls back on it, and it is no error to report. */
const rollback = Symbol('rollback')

/** The error's own fields (SQLSTATE code, detail, hint, constraint, ...), which a clone would drop. */
function failure(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { message: String(error) }
  const fields: Record<string, unknown> = { message: (error as Error).message, name: (error as Error).name }
  for (const [key, value] of Object.entries(error))
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value
  return fields
}

function begin(id: number): Promise<number> {
  return new Promise((begun, failed) => {
    let started = false
    const finished = db.transaction(
      (tx) =>
        new Promise<void>((commit, abort) => {
          started = true
          transactions.set(id, { tx, finished, end: (c) => (c ? commit() : abort(rollback)) })
          begun(id)
        }),
    )
    // Failing before the callback ran (BEGIN itself) is the begin's failure; later, the end's.
    finished.catch((error: unknown) => {
      if (!started) failed(error)
    })
  })
}

async function end(tx: number, commit: boolean): Promise<void> {
  const open = transactions.get(tx)
  if (!open) throw new Error(`no open transaction ${tx}`)
  transactions.delete(tx)
  open.end(commit)
  await open.finished.catch((error: unknown) => {
    if (error !== rollback) throw error
  })
}

async function answer(request: DbRequest): Promise<unknown> {
  switch (request.op) {
    case 'ready':
      await db.waitReady
      return undefined
    case 'query': {
      const { sql, params, tx } = request
      if (request.blob === undefined)
        return tx === undefined ? prepared.query(sql, params) : prepared.inTransaction(sql, params)
      const on = tx === undefined ? db : transactions.get(tx)!.tx
      return (await on.query(sql, params, { blob: new Blob([request.blob]) })).rows
    }
    case 'exec': {
      const on = request.tx === undefined ? db : transactions.get(request.tx)!.tx
      await on.exec(request.sql)
      return undefined
    }
    case 'begin':
      return begin(request.id)
    case 'end':
      return end(request.tx, request.commit)
    case 'close':
      await db.close()
      return undefined
  }
}

// Answers go back together, as requests come: the answers of one message's requests are ready
// in the same turn of this thread (PGlite runs them synchronously, one after the other), and one
// message for all of them costs each thread one wake-up instead of one per answer.
let replies: DbReply[] = []
function reply(answer: DbReply): void {
  if (replies.push(answer) === 1)
    setImmediate(() => {
      port.postMessage(replies)
      replies = []
    })
}

port.on('message', (requests: DbRequest[]) => {
  stats?.received()
  for (const request of requests) {
    const answered = stats
      ? stats.counted(statementKey(request.op, 'sql' in request ? request.sql : undefined), () =>
          answer(request),
        )
      : answer(request)
    answered.then(
      (value) => reply({ id: request.id, value }),
      (error: unknown) => reply({ id: request.id, error: failure(error) }),
    )
  }
})
