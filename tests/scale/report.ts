import type { ProvinceFigures } from './append-stage.ts'
import type { NotaryFigures } from './notary-stage.ts'
import type { ScaleOptions } from './options.ts'
import type { ProjectionFigures } from './projection-stages.ts'
import type { RelayFigures } from './relay-stage.ts'

/** Hebei's year of subsidised training as the record would hold it (issue 7). */
export const hebeiEvents = 35_000_000
const hebeiTrainings = 540_000

export interface ScaleRun {
  options: ScaleOptions
  date: string
  machine: string
  loadBefore: string
  loadAfter: string
  postgres: string
  kafka: string
  province: ProvinceFigures
  /** Events in the store before the projections ran (the relay's and the notary's reference). */
  stored: number
  relay?: RelayFigures | { skipped: string }
  projections: ProjectionFigures[]
  notary: NotaryFigures
  /** Events in the store at the end (with the detectors' alerts). */
  finalEvents: number
  disk: { store: number; audit: number }
  maxRss: number
  memory: { stage: string; maxRss: number }[]
}

const n = (x: number) => Math.round(x).toLocaleString('en')
const rate = (events: number, ms: number) => (ms > 0 ? (events * 1000) / ms : 0)
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${n(ms / 1000)} s`)
const mib = (bytes: number) => `${n(bytes / 2 ** 20)} MiB`
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`
const duration = (s: number) => {
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${(s / 60).toFixed(0)} min`
  return `${(s / 3600).toFixed(1)} h`
}
const table = (header: string[], align: string[], rows: string[][]) => [
  `| ${header.join(' | ')} |`,
  `| ${align.join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
]

interface Stage {
  name: string
  events: number
  ms: number
  note: string
}

function stages(run: ScaleRun): Stage[] {
  const { province: p, options: o } = run
  const out: Stage[] = [
    {
      name: 'generation (in memory, one thread)',
      events: p.events,
      ms: p.generateMs,
      note: `${p.shards} shard${p.shards === 1 ? '' : 's'} of ≤ ${n(o.shardInstitutions)} institutions`,
    },
    {
      name: 'store append',
      events: p.events,
      ms: p.appendMs,
      note: `\`writeEvents\`: appendMany calls of ≤ ${n(o.batchSize)} events, one transaction each, one writer`,
    },
  ]
  if (run.relay && 'events' in run.relay)
    out.push({
      name: 'relay → Kafka, until caught up',
      events: run.relay.events,
      ms: run.relay.ms,
      note: `feed batches of 1,000, idempotent producer, acks=all, ${run.relay.partitions} partitions, checkpoint after each ack`,
    })
  for (const pr of run.projections)
    out.push({
      name: pr.name === 'oversight' ? 'projection: oversight read side' : `projection: ${pr.name}`,
      events: pr.events,
      ms: pr.ms,
      note:
        pr.name === 'oversight'
          ? `${pr.parts?.length ?? 0} projections (fraud detectors, registry, alerts, case work) fed by one read, batches of 2,000; ${n(pr.alerts ?? 0)} alerts appended and read on the way`
          : '`rebuild` from zero, feed batches of 1,000, one transaction each',
    })
  out.push({
    name: 'audit notary, until caught up',
    events: run.notary.size,
    ms: run.notary.ms,
    note: `tree size ${n(run.notary.size)}, events in the store ${n(run.finalEvents)}: ${run.notary.size === run.finalEvents ? 'equal' : '**NOT EQUAL**'}`,
  })
  return out
}

/** The BENCHMARKS.md section `scale`. */
export function scaleSection(run: ScaleRun): string[] {
  const { province: p, options: o } = run
  const all = stages(run)
  const perEvent = (bytes: number, events: number) => (events > 0 ? `${n(bytes / events)} B` : '—')
  const relay = run.relay && 'events' in run.relay ? run.relay : undefined
  const disk: string[][] = [
    [
      'event store (events and streams tables, indexes, TOAST)',
      mib(run.disk.store),
      perEvent(run.disk.store, run.finalEvents),
      'per event',
    ],
    [
      'audit log (leaves, nodes, references, checkpoints)',
      mib(run.disk.audit),
      perEvent(run.disk.audit, run.notary.size),
      'per leaf',
    ],
    ...run.projections.map((pr) => [
      `read model: ${pr.name} (measured when caught up, then dropped)`,
      mib(pr.bytes),
      perEvent(pr.bytes, pr.events),
      'per event',
    ]),
    relay?.logBytes !== undefined
      ? [
          'Kafka topic log segments (replication factor 1)',
          mib(relay.logBytes),
          perEvent(relay.logBytes, relay.events),
          'per message',
        ]
      : ['Kafka topic log segments', 'not measured', '—', relay ? 'external broker' : 'no relay stage'],
  ]
  const pipeline = all.filter((s) => !s.name.startsWith('generation'))
  const hebei = (s: Stage) => hebeiEvents / rate(s.events, s.ms)
  const totalHebei = pipeline.reduce((sum, s) => sum + hebei(s), 0)
  const readPerEvent = run.projections.reduce((sum, pr) => sum + pr.bytes / Math.max(1, pr.events), 0)
  const hebeiDisk =
    (run.disk.store / run.finalEvents + run.disk.audit / run.notary.size + readPerEvent) * hebeiEvents
  const storeHebei = (run.disk.store / run.finalEvents) * hebeiEvents
  const auditHebei = (run.disk.audit / run.notary.size) * hebeiEvents
  const kafkaHebei = relay?.logBytes !== undefined ? (relay.logBytes / relay.events) * hebeiEvents : undefined
  const runPeak =
    storeHebei +
    Math.max(
      kafkaHebei ?? 0,
      auditHebei,
      ...run.projections.map((pr) => (pr.bytes / Math.max(1, pr.events)) * hebeiEvents),
    )
  const oversight = run.projections.find((x) => x.name === 'oversight')
  return [
    '## Scale: a synthetic province through every stage',
    '',
    `Command: \`npx pnpm@10.34.9 ${o.command.replace(/^pnpm /, '')}\` (\`--institutions N\` or \`--events N\`, the larger size wins; \`--help\` for the rest).`,
    'A synthetic province (packages/generator, with injected fraud) is generated and appended to a',
    'fresh PostgreSQL store, then pushed through each stage from zero, one stage at a time so each has the machine:',
    'the relay to a real Kafka broker, each projection of the app, the audit notary. All in one Node process;',
    'PostgreSQL, the Kafka broker and this process share the machine. Schemas and topic are dropped at the end.',
    '',
    ...table(
      ['run', ''],
      ['---', '---'],
      [
        ['date', run.date],
        ['machine', run.machine],
        ['load average (1/5/15 min) before / after', `${run.loadBefore} — ${run.loadAfter}`],
        ['PostgreSQL', run.postgres],
        ['Kafka', run.kafka],
        ['Node', `${process.version}`],
        [
          'province',
          `${n(p.events)} events: ${n(p.institutions)} institutions, ${n(p.classes)} classes, ${n(p.enrolments)} enrolments of ${n(p.workers)} workers, ${n(p.injected)} injected fraud cases (rate ${o.fraudRate}), seed \`${o.seed}\``,
        ],
        [
          'peak memory (this process, maxRSS)',
          `${mib(run.maxRss)}; after each stage: ${run.memory.map((m) => `${m.stage} ${mib(m.maxRss)}`).join(', ')}`,
        ],
      ],
    ),
    '',
    ...table(
      ['stage', 'events', 'time', 'events/s', 'how'],
      ['---', '---:', '---:', '---:', '---'],
      all.map((s) => [s.name, n(s.events), seconds(s.ms), n(rate(s.events, s.ms)), s.note]),
    ),
    '',
    ...(oversight?.parts
      ? [
          `Oversight read side, time each projection spent applying its batches (the feed is read once for all): ${oversight.parts
            .map((part) => `${part.name} ${seconds(part.applyMs)}`)
            .join(', ')}.`,
          '',
        ]
      : []),
    ...table(['on disk at the end', 'bytes', 'per unit', 'unit'], ['---', '---:', '---:', '---'], disk),
    '',
    `### Extrapolated to Hebei's year (${n(hebeiEvents)} events): not measured`,
    '',
    `Linear extrapolation of the rates and sizes above to Hebei's year (≈${n(hebeiTrainings)} trainings, ≈3.5×10⁷ events; the`,
    `generator makes about ${n(p.events / p.enrolments)} events per enrolment). **Extrapolated, not measured**: a store 3.5×10⁷`,
    'events deep has indexes far larger than shared_buffers and the page cache, so appends and index lookups',
    'are likely slower than in a run this size; read these as a lower bound on time and a fair estimate of disk.',
    '',
    ...table(
      ['stage', 'extrapolated time for 3.5×10⁷ events'],
      ['---', '---:'],
      [
        ...all.map((s) => [s.name, duration(hebei(s))]),
        ['**all stages after generation, one after another**', `**${duration(totalHebei)}**`],
      ],
    ),
    '',
    `Extrapolated disk for 3.5×10⁷ events, everything kept at once as a deployment keeps it: PostgreSQL ${gib(hebeiDisk)} (store ${gib(storeHebei)}, audit log ${gib(auditHebei)}, read models ${gib(readPerEvent * hebeiEvents)})${kafkaHebei === undefined ? '' : `, Kafka ${gib(kafkaHebei)} per replica`}; WAL and backups not included. This run keeps less at a time (the topic is dropped after the relay stage, each read model once measured): at 3.5×10⁷ events it would need about ${gib(runPeak)} free.`,
    '',
    'Figures from a 2-core machine shared with other work are a floor, not a measurement of the design:',
    'rerun on a quiet machine before comparing.',
  ]
}
