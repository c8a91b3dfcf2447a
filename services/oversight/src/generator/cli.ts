// Writes a synthetic province into an event store and its manifest of injected fraud to a file.
//
//   node services/oversight/src/generator/cli.ts --seed demo --institutions 40 --fraud-rate 0.02 \
//     --dir ./data/province --manifest ./province-manifest.json
//
// The store is PostgreSQL when DATABASE_URL is set, else an embedded PGlite in --dir (in memory
// without it, which is only useful with --manifest to see what would be written). Progress goes to
// stderr; stdout gets the manifest's counts as JSON.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { EventStore } from '@trec/eventstore'
import { type FraudPattern, fraudPatterns } from './inject.ts'
import { progressBar } from './progress.ts'
import { allFraud, buildProvince } from './province.ts'
import { writeEvents } from './write.ts'

const usage = `usage: cli.ts [--seed S] [--institutions N] [--classes MIN-MAX] [--class-size MIN-MAX]
              [--sessions MIN-MAX] [--blended SHARE] [--year YYYY]
              [--fraud-rate R] [--fraud PATTERN=R,...] [--dir DIR] [--manifest FILE] [--batch-size N]
patterns: ${fraudPatterns.join(', ')}
DATABASE_URL, when set, names the PostgreSQL database to write to (instead of --dir).`

function range(text: string | undefined, name: string): [number, number] | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+)-(\d+)$/.exec(text)
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`--${name} must be MIN-MAX`)
  return [Number(m[1]), Number(m[2])]
}

function fraudOf(rate: string | undefined, list: string | undefined): Partial<Record<FraudPattern, number>> {
  const out: Partial<Record<FraudPattern, number>> = rate === undefined ? {} : allFraud(Number(rate))
  for (const item of list?.split(',').filter(Boolean) ?? []) {
    const [pattern, value] = item.split('=')
    if (!fraudPatterns.includes(pattern as FraudPattern)) throw new Error(`unknown fraud pattern ${pattern}`)
    out[pattern as FraudPattern] = Number(value)
  }
  return out
}

async function openStore(dir: string | undefined): Promise<EventStore> {
  const url = process.env.DATABASE_URL
  if (url) {
    const { openPostgresEventStore } = await import('@trec/eventstore/postgres')
    return openPostgresEventStore({ connectionString: url })
  }
  const { openPGliteEventStore } = await import('@trec/eventstore/pglite')
  return openPGliteEventStore(dir ? { dataDir: dir } : {})
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
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
    },
  })
  if (values.help) {
    process.stdout.write(`${usage}\n`)
    return
  }
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
    fraud: fraudOf(values['fraud-rate'], values.fraud),
  })
  process.stderr.write(`built ${events.length} events in ${Date.now() - started} ms\n`)
  const store = await openStore(values.dir)
  try {
    await writeEvents(store, events, {
      ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
      onProgress: progressBar('writing'),
    })
  } finally {
    await store.close()
  }
  if (values.manifest) writeFileSync(values.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
  process.stdout.write(
    `${JSON.stringify({ ...manifest.counts, injected: manifest.injected.length, seconds: (Date.now() - started) / 1000 })}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
  process.exitCode = 1
})
