// The read side alone, measured per read model (issue 22): a province is stored once (or an
// existing store schema is reused), then archive, compliance and the oversight read side are each
// caught up from zero as `pnpm scale` does, and for each the run prints events/s, CPU µs per
// event of this process and of its PostgreSQL backends (read from /proc: the server is on this
// machine), and the read model's bytes per event. All read models together: the sum of the times.
//
//   node tests/scale/read-side.ts --events 100000 --keep-store     (prints the store's schema)
//   node tests/scale/read-side.ts --store scale_store_ab12cd34      (again, on the same events)
//   node tests/scale/read-side.ts --store S --only compliance --drop-store
//   node tests/scale/read-side.ts --store S --only archive+compliance  (in one group, as the app runs them)
//
// With --together, the whole read side at once as the app runs it (read-side-together.ts), on the
// read-side threads of TREC_READ_SIDE_THREADS: one run a count of --threads, in that order, so
// `--threads 1,2,1,2` compares one thread with two in alternating pairs:
//
//   node tests/scale/read-side.ts --store S --together --threads 1,2,1,2 [--services archive,compliance,oversight]
//
// The detectors append their alerts to the store they read: --copy-store S reads a copy of S
// (made, then dropped unless --keep-store), so that S itself is only read.
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { ServiceName } from '@trec/app'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import pg from 'pg'
import { processCpu } from '../bench/mixed-traffic-cpu.ts'
import { storeProvince } from './append-stage.ts'
import { dropSchemas, storedEvents } from './disk.ts'
import { loadAverage } from './machine.ts'
import { parseOptions } from './options.ts'
import { projectionStages } from './projection-stages.ts'
import { readSideTogether, togetherHeader, togetherRow } from './read-side-together.ts'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    store: { type: 'string' },
    'copy-store': { type: 'string' },
    only: { type: 'string' },
    'keep-store': { type: 'boolean', default: false },
    'drop-store': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    together: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1,2' },
    services: { type: 'string', default: 'archive,compliance,oversight' },
  },
})
const found = await postgresForTests()
if ('skip' in found) throw new Error(found.skip)
const tag = randomUUID().replaceAll('-', '').slice(0, 8)
const app = `trec-readside-${tag}`
// One pool for the store and the read models, its connections kept open, so that the CPU time
// of its server backends can be read before and after each stage.
const pool = new pg.Pool({ connectionString: found.url, max: 4, idleTimeoutMillis: 0, application_name: app })
pool.on('error', () => undefined)
const db = pgExecutor(pool)
const storeSchema = values.store ?? `scale_store_${tag}`
const store = new SqlEventStore(db, { schema: storeSchema })
/** CPU seconds of this pool's server backends so far (utime + stime of each). */
async function backendCpu(): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [app],
  )
  // a backend that has gone counts 0: its time is lost (the pool keeps its connections open)
  return rows.reduce((sum, { pid }) => sum + processCpu(pid), 0)
}

try {
  if (values['copy-store'] !== undefined) {
    // A copy of a store to read, as the detectors append their alerts to the store they read.
    await store.migrate()
    // Then its planner statistics, as autovacuum would gather them on a live server: without them
    // a large feed read is planned as a bitmap scan with an on-disk sort.
    for (const table of ['events', 'streams']) {
      await pool.query(
        `insert into "${storeSchema}".${table} select * from "${values['copy-store']}".${table}`,
      )
      await pool.query(`analyze "${storeSchema}".${table}`)
    }
  } else if (values.store === undefined) {
    await store.migrate()
    const o = parseOptions(['--events', values.events!])
    if ('help' in o) throw new Error(o.help)
    await storeProvince(store, o)
  }
  const total = await storedEvents(pool, storeSchema)
  if (values.together) {
    console.log(`the whole read side, together, on ${total} events (store ${storeSchema})`)
    const rows: string[] = []
    for (const [i, n] of values.threads!.split(',').entries()) {
      if (n !== '1' && n !== '2') throw new Error(`--threads: 1 or 2, not ${n}`)
      const f = await readSideTogether({
        url: found.url,
        pool,
        storeSchema,
        services: values.services!.split(',') as ServiceName[],
        threads: n === '1' ? 1 : 2,
        tag: `${tag}_${i}`,
      })
      rows.push(togetherRow(f))
      console.log(rows.at(-1))
    }
    console.log(`\n${togetherHeader}\n${rows.join('\n')}\nload after: ${loadAverage()}`)
  } else {
    // Warm every connection of the pool so that all four backends are counted from the start.
    await Promise.all(Array.from({ length: 4 }, () => pool.query('select pg_sleep(0.05)')))
    const only = values.only?.split(',')
    console.log(`read side on ${total} events (store ${storeSchema}); load ${loadAverage()}`)
    const rows: string[] = []
    let sumMs = 0
    let sumEvents = 0
    for (const stage of ['archive', 'compliance', 'oversight', 'archive+compliance']) {
      if (!only && stage.includes('+')) continue
      if (only && !only.includes(stage)) continue
      const schema = `scale_${stage.replace('+', '_')}_${tag}`
      const node0 = processCpu(process.pid)
      const pg0 = await backendCpu()
      const [figures] = await projectionStages({
        db,
        pool,
        store,
        schemaOf: () => schema,
        total,
        keep: values.keep!,
        only: stage,
      })
      const nodeS = processCpu(process.pid) - node0
      const pgS = (await backendCpu()) - pg0
      const f = figures!
      sumMs += f.ms
      sumEvents = Math.max(sumEvents, f.events)
      const perEvent = (s: number) => ((s * 1e6) / f.events).toFixed(0)
      rows.push(
        `| ${stage} | ${f.events} | ${(f.ms / 1000).toFixed(1)} s | ${Math.round(f.events / (f.ms / 1000))} | ${perEvent(nodeS)} | ${perEvent(pgS)} | ${Math.round(f.bytes / total)} |`,
      )
      if (values.keep) console.log(`kept ${schema}`)
      if (f.parts)
        console.log(
          f.parts
            .map((p) => `${p.name.replace('oversight_', '')} ${(p.applyMs / 1000).toFixed(2)} s`)
            .join(', '),
        )
      console.log(rows.at(-1))
    }
    console.log(
      `\n| read model | events | time | events/s | node CPU µs/event | PostgreSQL CPU µs/event | bytes/event |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}`,
    )
    console.log(
      `all of them, one after another: ${(sumMs / 1000).toFixed(1)} s, ${Math.round(total / (sumMs / 1000))} events/s of the store; load ${loadAverage()}`,
    )
  }
} finally {
  if (values.store === undefined && !values['keep-store']) await dropSchemas(pool, [storeSchema])
  else if (values['drop-store']) await dropSchemas(pool, [storeSchema])
  else console.log(`store kept: --store ${storeSchema}`)
  await pool.end()
}
