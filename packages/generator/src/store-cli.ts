// Writes a synthetic province as events straight into a PostgreSQL event store, and its manifest
// of injected fraud to a file: the whole catalogue of fraud patterns, backdated a year, which the
// public API would refuse (it checks what it is told against the record):
//
//   DATABASE_URL=postgres://... npm run generate:store -- --seed demo --institutions 40 \
//     --fraud-rate 0.02 --manifest ./province-manifest.json
//
// PostgreSQL takes concurrent appends, so a server may run on the same database meanwhile. An
// embedded data directory belongs to the one server running on it and is refused: fill that
// server through its API with `npm run generate`. Without DATABASE_URL the province is built in
// memory only (with --manifest, to see what would be written).
import { writeFileSync } from 'node:fs'
import { fraudRates, parseCommand, range } from './cli-options.ts'
import { progressBar } from './progress.ts'
import { fraudPatterns } from './province/inject.ts'
import { buildProvince } from './province/province.ts'
import { writeEvents } from './province/write.ts'

const usage = `usage: npm run generate:store -- [--seed S] [--institutions N] [--classes MIN-MAX]
         [--class-size MIN-MAX] [--sessions MIN-MAX] [--blended SHARE] [--year YYYY]
         [--fraud-rate R] [--fraud PATTERN=R,...] [--manifest FILE] [--batch-size N]

Writes a synthetic province as events into the PostgreSQL event store DATABASE_URL names (built
in memory only without it). patterns: ${fraudPatterns.join(', ')}
To fill a running embedded server (npm start), use npm run generate (through its API).`

const { values, fail } = parseCommand(usage, {
  seed: { type: 'string', default: 'trec' },
  institutions: { type: 'string' },
  classes: { type: 'string' },
  'class-size': { type: 'string' },
  sessions: { type: 'string' },
  blended: { type: 'string' },
  year: { type: 'string' },
  'fraud-rate': { type: 'string' },
  fraud: { type: 'string' },
  dir: { type: 'string' },
  manifest: { type: 'string' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
})

async function main(): Promise<void> {
  if (values.dir)
    fail(
      'an embedded data directory belongs to the server that runs on it and cannot be written beside it: start that server (npm start) and fill it with npm run generate',
    )
  const classesPerInstitution = range(values.classes, 'classes')
  const classSize = range(values['class-size'], 'class-size')
  const sessionsPerClass = range(values.sessions, 'sessions')
  const started = Date.now()
  const { events, manifest } = buildProvince({
    seed: values.seed,
    ...(values.institutions ? { institutions: Number(values.institutions) } : {}),
    ...(classesPerInstitution ? { classesPerInstitution } : {}),
    ...(classSize ? { classSize } : {}),
    ...(sessionsPerClass ? { sessionsPerClass } : {}),
    ...(values.blended ? { blendedShare: Number(values.blended) } : {}),
    ...(values.year ? { year: Number(values.year) } : {}),
    fraud: fraudRates(fraudPatterns, values['fraud-rate'], values.fraud) ?? {},
  })
  process.stderr.write(`built ${events.length} events in ${Date.now() - started} ms\n`)
  const url = process.env.DATABASE_URL
  if (url) {
    const { openPostgresEventStore } = await import('@trec/eventstore/postgres')
    const store = await openPostgresEventStore({ connectionString: url })
    try {
      await writeEvents(store, events, {
        ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
        onProgress: progressBar('writing'),
      })
    } finally {
      await store.close()
    }
  }
  if (values.manifest) writeFileSync(values.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
  process.stdout.write(
    `${JSON.stringify({ ...manifest.counts, injected: manifest.injected.length, written: url !== undefined, seconds: (Date.now() - started) / 1000 })}\n`,
  )
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)))
