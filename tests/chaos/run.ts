// `pnpm chaos`: a bounded fault-injection run on loopback (see chaos.ts), its results printed and
// written to RELIABILITY.md between the chaos markers. Exits 1 when any check fails.
//
//   pnpm chaos [--minutes 5] [--kills 24] [--broker-restarts 1] [--pg-restarts 1] [--lanes 6]
//              [--keep-logs] [--no-report]
//
// PostgreSQL is a throwaway cluster of the run's own; TREC_CHAOS_POSTGRES=existing (or a machine
// without initdb) uses a fresh database on the server at DATABASE_URL instead, without the
// PostgreSQL restart. Kafka is a local broker from Maven jars (@trec/infra-kafka, needs Java).
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runChaos } from './chaos.ts'
import { markdown, reproduceCommand, writeReliability } from './report.ts'

const { values } = parseArgs({
  // pnpm passes a literal `--` through; npm strips it.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    minutes: { type: 'string', default: '5' },
    kills: { type: 'string', default: '24' },
    'broker-restarts': { type: 'string', default: '1' },
    'pg-restarts': { type: 'string', default: '1' },
    lanes: { type: 'string', default: '6' },
    'keep-logs': { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
const usage =
  'usage: pnpm chaos [--minutes 5] [--kills 24] [--broker-restarts 1] [--pg-restarts 1] [--lanes 6] [--keep-logs] [--no-report]'
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const number = (name: string, value: string, min: number, max: number) => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number from ${min} to ${max}\n${usage}`)
    process.exit(2)
  }
  return n
}
const options = {
  minutes: number('minutes', values.minutes, 0.5, 60),
  kills: Math.round(number('kills', values.kills, 0, 1000)),
  brokerRestarts: Math.round(number('broker-restarts', values['broker-restarts'], 0, 10)),
  postgresRestarts: Math.round(number('pg-restarts', values['pg-restarts'], 0, 10)),
  lanes: Math.round(number('lanes', values.lanes, 1, 32)),
  keepLogs: values['keep-logs'],
}

const started = Date.now()
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`)
const result = await runChaos({ ...options, log })
const section = markdown(result)
console.log(`\n${section}\n`)
if (!values['no-report']) {
  const file = join(import.meta.dirname, '../../RELIABILITY.md')
  await writeReliability(file, section)
  console.log('results written to RELIABILITY.md')
}
console.log(`${result.ok ? 'PASS' : 'FAIL'}: ${reproduceCommand(result)}`)
process.exit(result.ok ? 0 : 1)
