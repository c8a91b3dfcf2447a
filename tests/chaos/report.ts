import { readFile, writeFile } from 'node:fs/promises'
import { spliceSection } from '../bench/report.ts'
import type { ChaosResult } from './chaos.ts'

// The run's results as Markdown, between the chaos markers of RELIABILITY.md (made with a short
// introduction when absent); everything outside the markers is left as it is.

const intro = `# Reliability

How trec behaves when its processes, its database and its broker fail under load, measured on a
real deployment on loopback. The sections between markers are rewritten by the tools that
measure them; the rest is prose.

## How the fault-injection run works

\`pnpm chaos\` (tests/chaos/) starts a PostgreSQL of its own (a throwaway cluster made with
initdb, which it can crash and restart), a single-node Kafka broker (@trec/infra-kafka), and the
services as separate processes: one per write-side service (training, attendance, assessment,
subsidy), the read side (archive, compliance and oversight, following the store's feed), the
audit service (its API and the Merkle notary) and the relay (store feed to Kafka). Clients send
the subsidised-training flow over HTTP with real signed tokens: classes applied for, reviewed
and opened, devices registered, workers enrolled after a real-name check, signed face-check
batches, completions, assessments, certificates, contribution histories, claims, closings. Each
command has its own Idempotency-Key and is sent again with the same key after no answer, a 5xx
or "still in progress", until answered.

Meanwhile it kills service processes with SIGKILL (each restarted after a short random delay),
crashes and restarts the broker, and crashes PostgreSQL (immediate shutdown, WAL recovery on
start). When the faults are over and every follower has caught up, it checks that every
acknowledged command's events are in the store at the revisions answered; that no key took
effect twice and no event exists that no command accounts for (nor any natural key recorded
twice); that event ids are unique and stream revisions contiguous; that every read model equals
a clean rebuild from the feed; that the Kafka topic holds every event in order per partition;
and that the Merkle log has the feed's size, its latest signed checkpoint verifies, and the root
recomputed from the feed equals it. Any failure makes it exit non-zero.
`

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!
}

function count<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const m = new Map<string, number>()
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1)
  return [...m].sort((a, b) => b[1] - a[1])
}

export function reproduceCommand(r: ChaosResult): string {
  const o = r.options
  const env = o.existingPostgres ? 'TREC_CHAOS_POSTGRES=existing ' : ''
  return `${env}pnpm chaos --minutes ${o.minutes} --kills ${o.kills} --broker-restarts ${o.brokerRestarts} --pg-restarts ${o.postgresRestarts} --lanes ${o.lanes}`
}

export function markdown(r: ChaosResult): string {
  const lines: string[] = []
  const push = (...l: string[]) => lines.push(...l)
  const ledger = r.ledger
  const acked = ledger.filter((c) => c.outcome === 'acknowledged')
  const refused = ledger.filter((c) => c.outcome === 'refused')
  const gaveUp = ledger.filter((c) => c.outcome === 'gave-up')
  const retried = ledger.filter((c) => c.retries > 0)
  const attempts = ledger.reduce((n, c) => n + c.attempts, 0)
  const windowMs = r.durations['fault window and load'] ?? 0
  push(
    '## Fault injection (`pnpm chaos`)',
    '',
    `Last run ${r.startedAt.slice(0, 19).replace('T', ' ')} UTC: **${r.ok ? 'PASS' : 'FAIL'}**. ${r.environment.cpus} cores, Node ${r.environment.node}, ${r.environment.postgres}, ${r.environment.kafka}. Processes: training, attendance, assessment, subsidy, read side (archive + compliance + oversight)${r.environment.audit ? ', audit (API + Merkle notary)' : ''}, relay.`,
    '',
    `Reproduce: \`${reproduceCommand(r)}\``,
    '',
    '### Faults injected',
    '',
    '| fault | count | back in service (median / max) |',
    '| --- | ---: | --- |',
  )
  const kills = r.faults.filter((f) => f.kind === 'kill -9')
  const recovered = (fs: typeof kills) =>
    fs.map((f) => f.recoveredMs).filter((x): x is number => x !== undefined)
  const byTarget = count(kills, (f) => f.target)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')
  push(
    `| \`kill -9\` of a service process, restarted after 0.3–4 s (${byTarget}) | ${kills.length} | ${s(median(recovered(kills)))} / ${s(Math.max(0, ...recovered(kills)))} |`,
  )
  for (const kind of ['broker restart', 'postgres restart'] as const) {
    const fs = r.faults.filter((f) => f.kind === kind && f.note !== 'skipped')
    const label =
      kind === 'broker restart'
        ? 'Kafka broker crash (SIGKILL of its JVM) and restart'
        : 'PostgreSQL crash (`pg_ctl stop -m immediate`) and restart'
    push(
      `| ${label} | ${fs.length} | ${fs.length ? `${s(median(recovered(fs)))} / ${s(Math.max(0, ...recovered(fs)))}` : '—'} |`,
    )
  }
  const crashes = r.processes.flatMap((p) => p.crashes.map((c) => ({ ...c, name: p.name })))
  push(
    `| exits nobody caused (restarted after 1 s, as an orchestrator would) | ${crashes.length} | ${
      count(crashes, (c) => c.name)
        .map(([n, k]) => `${n} ${k}`)
        .join(', ') || '—'
    } |`,
    '',
    '### Load',
    '',
    `${ledger.length} commands over ${s(windowMs)} (${(ledger.length / Math.max(1, windowMs / 1000)).toFixed(1)}/s) from ${r.options.lanes} lanes, each with its own Idempotency-Key, sent again with the same key after no answer, a 5xx or "still in progress" until answered (${attempts} attempts in all). ${r.load.classesOpened} classes opened, ${r.load.classesCompleted} taken to completion and closing; ${r.events} events in the store at the end.`,
    '',
    '| command | sent | acknowledged (2xx) | refused (4xx) | gave up | retried |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  )
  for (const [label] of count(ledger, (c) => c.label)) {
    const of = ledger.filter((c) => c.label === label)
    push(
      `| ${label} | ${of.length} | ${of.filter((c) => c.outcome === 'acknowledged').length} | ${of.filter((c) => c.outcome === 'refused').length} | ${of.filter((c) => c.outcome === 'gave-up').length} | ${of.filter((c) => c.retries > 0).length} |`,
    )
  }
  push(
    `| **all** | **${ledger.length}** | **${acked.length}** | **${refused.length}** | **${gaveUp.length}** | **${retried.length}** |`,
    '',
  )
  const causes = new Map<string, number>()
  for (const c of ledger)
    for (const [cause, n] of Object.entries(c.retryCauses)) causes.set(cause, (causes.get(cause) ?? 0) + n)
  const uncertain = ledger.filter((c) => c.uncertain)
  if (causes.size > 0)
    push(
      `Attempts sent again: ${[...causes.values()].reduce((a, b) => a + b, 0)} (${[...causes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(
          ', ',
        )}). ${uncertain.length} commands had an attempt whose outcome was unknown (the connection lost after the request was sent, or a 5xx): ${uncertain.filter((c) => c.outcome === 'acknowledged').length} of them acknowledged in the end, ${uncertain.filter((c) => c.replayed).length} by a replay of the recorded answer.`,
      '',
    )
  if (refused.length > 0)
    push(
      `Refusals by code: ${count(refused, (c) => `${c.label} ${c.status} ${c.code ?? ''}`.trim())
        .map(([k, n]) => `${k} ×${n}`)
        .join('; ')}.`,
      '',
    )
  push('### Checks', '', '| check | result | detail |', '| --- | --- | --- |')
  push(
    `| everything caught up after the faults | ${r.catchUp.ok ? 'pass' : '**FAIL**'} | ${r.catchUp.detail} |`,
  )
  for (const c of r.checks)
    push(
      `| ${c.name} | ${c.skipped ? 'skipped' : c.ok ? 'pass' : '**FAIL**'} | ${(c.skipped ?? c.detail).replaceAll('|', '\\|')} |`,
    )
  push('')
  if (r.findings.answerLost.length > 0)
    push(
      `Answers lost: ${r.findings.answerLost.length} commands took effect while their answer was lost (the process was killed, or the database went away, between the append and the response); the retry with the same key was answered ${count(
        r.findings.answerLost,
        (f) => `${f.label}: ${f.answered}`,
      )
        .map(([k, n]) => `${k} ×${n}`)
        .join('; ')}. Each effect happened once.`,
      '',
    )
  if (r.skipped.length > 0) push(`Skipped: ${r.skipped.join('; ')}.`, '')
  push(
    '### Durations',
    '',
    Object.entries(r.durations)
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(', '),
  )
  return lines.join('\n')
}

export async function writeReliability(file: string, section: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => intro)
  await writeFile(file, spliceSection(text, 'chaos', section.split('\n')).text)
}
