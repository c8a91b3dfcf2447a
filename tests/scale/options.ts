import { parseArgs } from 'node:util'

export const usage = `usage: pnpm scale -- [--institutions N] [--events N] [--seed S] [--fraud-rate R]
                     [--shard-institutions N] [--batch-size N] [--keep] [--no-report]
  --institutions N        institutions in the province (default: as many as --events needs)
  --events N              events in the province, at least (default 1,000,000 when neither is given);
                          given both, the run takes the larger size
  --seed S                the generator's seed (default scale)
  --fraud-rate R          rate of every injected fraud pattern (default 0.01; 0 for none)
  --shard-institutions N  institutions built in memory at a time (default 250, about 1 GiB of heap)
  --batch-size N          events per appendMany call when storing the province (default 2,000)
  --keep                  leave the schemas and the topic in place (for looking at them afterwards)
  --no-report             do not write the scale section of BENCHMARKS.md
DATABASE_URL names the PostgreSQL database (default the test database on 127.0.0.1:5432);
KAFKA_BROKERS an existing broker (default: a local broker started for the run and stopped after).`

export interface ScaleOptions {
  institutions: number
  events: number
  seed: string
  fraudRate: number
  shardInstitutions: number
  batchSize: number
  keep: boolean
  report: boolean
  /** The command as typed, for the report. */
  command: string
}

const count = (text: string | undefined, name: string, fallback: number): number => {
  if (text === undefined) return fallback
  const n = Number(text.replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`)
  return Math.round(n)
}

export function parseOptions(argv: string[]): ScaleOptions | { help: string } {
  // `pnpm scale -- --x` passes the `--` through to the script.
  const args = argv[0] === '--' ? argv.slice(1) : argv
  const { values } = parseArgs({
    args,
    options: {
      institutions: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string', default: 'scale' },
      'fraud-rate': { type: 'string', default: '0.01' },
      'shard-institutions': { type: 'string', default: '250' },
      'batch-size': { type: 'string', default: '2000' },
      keep: { type: 'boolean', default: false },
      'no-report': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return { help: usage }
  const neither = values.institutions === undefined && values.events === undefined
  const fraudRate = Number(values['fraud-rate'])
  if (!(fraudRate >= 0 && fraudRate < 1)) throw new Error('--fraud-rate must be in [0, 1)')
  const options: ScaleOptions = {
    institutions: count(values.institutions, 'institutions', 0),
    events: count(values.events, 'events', neither ? 1_000_000 : 0),
    seed: values.seed!,
    fraudRate,
    shardInstitutions: Math.max(5, count(values['shard-institutions'], 'shard-institutions', 250)),
    batchSize: Math.max(1, count(values['batch-size'], 'batch-size', 2000)),
    keep: values.keep!,
    report: !values['no-report'],
    command: `pnpm scale${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  }
  if (options.institutions === 0 && options.events === 0) throw new Error('nothing to generate')
  return options
}
