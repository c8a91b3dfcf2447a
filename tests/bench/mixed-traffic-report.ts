import { cpus, totalmem } from 'node:os'
import type { ReadSideLag } from './mixed-traffic-lag.ts'
import type { LoadResult } from './mixed-traffic-load.ts'
import { endpoints, type MixPlan } from './mixed-traffic-mix.ts'

export interface MixedRun {
  command: string
  plan: MixPlan
  date: string
  loadBefore: string
  loadAfter: string
  postgres: string
  load: LoadResult
  /** Shares of one core over the measured window, and the machine's busy share. */
  cpu: { server: number; postgres: number; loadGenerator: number; machineBusy: number }
  setUp: { seconds: number; events: number }
  /** The read side when the load stopped, and how long it then took to catch up (undefined: not within the limit). */
  readSide: { atEnd: ReadSideLag; caughtUpSeconds: number | undefined; limitSeconds: number }
  drainSeconds: number
  /** Events acknowledged by accepted answers, and how many of them the store does not hold. */
  acknowledged: { events: number; lost: number }
  /** The admission budget the app ran with, as set. */
  admission: string
}

const n = (x: number) => Math.round(x).toLocaleString('en')
const ms = (x: number | undefined) =>
  x === undefined
    ? '—'
    : x < 10
      ? `${x.toFixed(1)} ms`
      : x < 1000
        ? `${Math.round(x)} ms`
        : `${(x / 1000).toFixed(2)} s`
const pct = (x: number) => `${Math.round(x * 100)}%`
const at = (sorted: number[], q: number) =>
  sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

export interface Totals {
  offeredEvents: number
  achievedEvents: number
  sustained: boolean
  refused: number
  /** Of the refused, those shed by admission control (503 TREC_OVERLOADED). */
  shed: number
  unanswered: number
  /** p99 of accepted requests and of shed ones, over every endpoint (ms). */
  acceptedP99: number | undefined
  shedP99: number | undefined
}

export function totals(run: MixedRun): Totals {
  const { plan, load } = run
  let offeredEvents = 0
  let achievedEvents = 0
  let refused = 0
  let unanswered = 0
  let offeredRequests = 0
  let shed = 0
  const accepted: number[] = []
  const shedLatencies: number[] = []
  load.endpoints.forEach((r, e) => {
    shed += r.shedLatencies.length
    accepted.push(...r.latencies)
    shedLatencies.push(...r.shedLatencies)
    offeredRequests += r.offered / plan.seconds
    offeredEvents += (r.offered * endpoints[e]!.eventsPerRequest) / plan.seconds
    achievedEvents += r.eventsInWindow / plan.seconds
    refused += Object.values(r.refused).reduce((a, b) => a + b, 0)
    unanswered += r.unanswered
  })
  accepted.sort((a, b) => a - b)
  shedLatencies.sort((a, b) => a - b)
  return {
    offeredEvents,
    achievedEvents,
    refused,
    shed,
    unanswered,
    acceptedP99: at(accepted, 0.99),
    shedP99: at(shedLatencies, 0.99),
    // Kept up: the accepted rate, nothing refused or lost, and less than a second's requests queued at the end.
    sustained:
      achievedEvents >= 0.98 * offeredEvents &&
      refused === 0 &&
      unanswered === 0 &&
      load.backlogAtEnd <= offeredRequests,
  }
}

/** Where the server ran its read side (TREC_READ_SIDE, as the server read it). */
const readSideWhere = () =>
  process.env.TREC_READ_SIDE === 'main'
    ? 'the read side on the request thread, TREC_READ_SIDE=main'
    : 'the read side on a thread of its own, the request thread only HTTP and commands'

/** The plain-words verdict, for the console and the section. */
export function verdict(run: MixedRun): string {
  const t = totals(run)
  const { cpu } = run
  const where = [
    `the app's process used ${pct(cpu.server)} of one core (${readSideWhere()})`,
    `the PostgreSQL server ${pct(cpu.postgres)} of a core (all its processes, connections opened and closed included)`,
    `the load generator ${pct(cpu.loadGenerator)}`,
    `the machine's ${cpus().length} cores were ${pct(cpu.machineBusy)} busy (all processes, other work included)`,
  ].join('; ')
  const shedding = `Admission control (${run.admission}): accepted requests p99 ${ms(t.acceptedP99)}; ${n(t.shed)} shed with 503 and Retry-After, p99 ${ms(t.shedP99)}; ${n(t.unanswered)} unanswered; ${n(run.acknowledged.events)} events acknowledged, ${n(run.acknowledged.lost)} of them missing from the store.`
  return `${sustainedOrNot(run, t, where)} ${shedding}`
}

function sustainedOrNot(run: MixedRun, t: Totals, where: string): string {
  if (t.sustained)
    return `**Sustained**: offered ${n(t.offeredEvents)} events/s, accepted ${n(t.achievedEvents)} events/s within the window, none refused or lost, less than a second's requests queued when it closed (${n(run.load.backlogAtEnd)}). Over the window ${where}.`
  return `**Not sustained**: offered ${n(t.offeredEvents)} events/s, achieved ${n(t.achievedEvents)} events/s (${pct(t.achievedEvents / t.offeredEvents)}), ${n(t.refused)} requests refused, ${n(t.unanswered)} unanswered ${run.drainSeconds} s after the run, ${n(run.load.backlogAtEnd)} still waiting when the window closed. This machine saturates at about ${n(t.achievedEvents)} events/s of this mix: over the window ${where}.`
}

export function mixedTrafficSection(run: MixedRun): string[] {
  const { plan, load } = run
  const t = totals(run)
  const rows = load.endpoints.map((r, e) => {
    const endpoint = endpoints[e]!
    const sorted = [...r.latencies].sort((a, b) => a - b)
    const refused = Object.entries(r.refused)
      .map(([status, count]) => `${n(count)}× ${status}`)
      .join(', ')
    return [
      endpoint.name,
      `${(r.offered / plan.seconds).toFixed(1)} / ${(r.acceptedInWindow / plan.seconds).toFixed(1)}`,
      `${n((r.offered * endpoint.eventsPerRequest) / plan.seconds)} / ${n(r.eventsInWindow / plan.seconds)}`,
      ms(at(sorted, 0.5)),
      ms(at(sorted, 0.99)),
      ms(sorted[sorted.length - 1]),
      ms(
        at(
          [...r.shedLatencies].sort((a, b) => a - b),
          0.99,
        ),
      ),
      refused || '0',
      `${n(r.late)} / ${n(r.unanswered)}`,
    ]
  })
  const perSecond = [...load.perSecond].sort((a, b) => a - b)
  return [
    '## Mixed traffic at the national design peak',
    '',
    `Command: \`${run.command}\` (\`BENCH_RATE\` offered events/s, default 10,000; \`BENCH_SECONDS\` measured, default 60; \`BENCH_WARMUP\`, default 5).`,
    'The app as `pnpm serve` runs it (every service in one Node process, with its projections, fraud detectors',
    `and audit notary following the feed in the same process; ${readSideWhere()}) on PostgreSQL, in a database of its own, listening`,
    'on 127.0.0.1; every request over real HTTP with a real signed access token (EdDSA), face-check batches',
    'device-signed. The load generator, in a child process, sends every request at its due time on an open-loop',
    'schedule (each endpoint at a fixed rate, whatever the answers do) and times each from its due time, so',
    'queueing counts. The mix follows one training as Hebei’s year has it (≈65 events: 3 for an enrolment, one',
    'completion, one claim, about 60 face checks); archive lookups at the rate of completions.',
    '',
    '| run | |',
    '| --- | --- |',
    `| date | ${run.date} |`,
    `| machine | ${cpus().length} cores, ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory |`,
    `| load average (1/5/15 min) before / after | ${run.loadBefore} — ${run.loadAfter} |`,
    `| PostgreSQL | ${run.postgres} |`,
    `| Node | ${process.version}; app, load generator and PostgreSQL share the cores |`,
    `| admission control | ${run.admission} |`,
    `| offered | ${n(plan.rate)} events/s for ${plan.seconds} s after ${plan.warmup} s warm-up at the same rate |`,
    `| set up before the run (through the API) | ${n(run.setUp.events)} events in ${n(run.setUp.seconds)} s: ${plan.world.runningClasses} classes whose devices upload (${plan.world.runningClasses * 50} workers), ${n(plan.world.completionTargets)} workers to complete, ${n(plan.world.claimTargets)} to claim for, ${plan.world.enrollingClasses} classes enrolling |`,
    '',
    '| endpoint | requests/s offered / accepted | events/s offered / accepted | accepted p50 | p99 | max | shed (503) p99 | refused | late / unanswered |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    `| **all** | | **${n(t.offeredEvents)} / ${n(t.achievedEvents)}** | | ${ms(t.acceptedP99)} | | ${ms(t.shedP99)} | ${n(t.refused)} | ${n(load.endpoints.reduce((s, r) => s + r.unanswered, 0))} |`,
    '',
    verdict(run),
    '',
    `Accepted events per second of the window: lowest ${n(perSecond[0] ?? 0)}, median ${n(perSecond[Math.floor(perSecond.length / 2)] ?? 0)}, highest ${n(perSecond[perSecond.length - 1] ?? 0)}. When the load stopped, the read side's projections were ${n(run.readSide.atEnd.projections)} events behind the store and the audit notary ${n(run.readSide.atEnd.notary)}; ${run.readSide.caughtUpSeconds === undefined ? `not caught up within ${run.readSide.limitSeconds} s` : `caught up ${run.readSide.caughtUpSeconds.toFixed(1)} s later`}.`,
    '',
    'How to read it: accepted counts answers that arrived inside the measured window; latencies are of the requests',
    `due in it, from their due time (late: answered after the window closed; unanswered: not answered ${run.drainSeconds} s after`,
    'the last request was sent). No rate limit is configured (as `TREC_RATE_LIMIT_MAX=0`): the bench has one token per',
    'institution and device, far fewer callers than a province. Figures from a 2-core machine shared with other work',
    'are a floor, not a measurement of the design: rerun on a quiet machine before comparing.',
  ]
}
