// Statements the oversight read side sends per feed batch in embedded mode (PGlite, one database
// for the store and the read models), and CPU time per event, for a catch-up over a generated
// record. Run: ./node_modules/.bin/node tests/bench/read-side-statements.bench.ts [workers] [batch]
import type { Query, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { OversightReadSide } from '@trec/oversight'
import { appendRecord, generateRecord } from '@trec/readmodels/testing'

const workers = Number(process.argv[2] ?? 40)
const batchSize = Number(process.argv[3] ?? 500)

/** Counts every statement sent: each query, BEGIN and COMMIT of a transaction, each script. */
function counting(inner: SqlExecutor, count: { statements: number }): SqlExecutor {
  const counted =
    (query: Query): Query =>
    (sql, params) => {
      count.statements++
      return query(sql, params)
    }
  return {
    query: counted(inner.query),
    transaction: (fn) => {
      count.statements += 2
      return inner.transaction((query, copyIn) => fn(counted(query), copyIn))
    },
    script: (sql) => {
      count.statements++
      return inner.script(sql)
    },
    close: () => inner.close(),
  }
}

const pg = new PGlite()
const store = await openPGliteEventStore({ db: pg, schema: 'events' })
await appendRecord(store, generateRecord({ workers, seed: 7, faultRate: 0.1 }))
const count = { statements: 0 }
const side = new OversightReadSide({ store, db: counting(pgliteExecutor(pg), count), batchSize })
await side.setup()
count.statements = 0
const cpu = process.cpuUsage()
let batches = 0
const read = await side.catchUp(() => batches++)
const used = process.cpuUsage(cpu)
const cpuMs = (used.user + used.system) / 1000
console.log(
  JSON.stringify({
    runners: side.runners.length,
    events: read,
    batches,
    statements: count.statements,
    statementsPerBatch: Math.round((count.statements / batches) * 10) / 10,
    cpuMs: Math.round(cpuMs),
    cpuUsPerEvent: Math.round((cpuMs * 1000) / read),
  }),
)
await store.close()
