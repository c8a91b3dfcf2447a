// The load generator of the mixed-traffic bench, in a child process of its own. Every request
// body is built (and every face-check batch signed) before the clock starts; then the requests
// are sent on an open-loop schedule: each endpoint at its fixed rate, each request at its due
// time whatever the answers before it did, its latency timed from that due time (so a stall
// counts against every request it delayed, no coordinated omission).

import { Agent } from 'node:http'
import { CompactSign, importJWK } from 'jose'
import { sendJson } from './http-client.ts'
import { type EndpointKey, endpoints, type MixPlan } from './mixed-traffic-mix.ts'
import { card, type ServerInfo } from './mixed-traffic-server.ts'
import { loopDelays } from './mixed-traffic-thread.ts'

interface Prepared {
  path: string
  token: string
  body: string
}

export interface EndpointResult {
  key: EndpointKey
  /** Requests due in the measured window. */
  offered: number
  /** Accepted answers that arrived in the measured window, and the events they appended. */
  acceptedInWindow: number
  eventsInWindow: number
  /** Latency from the due time of each request due in the window and accepted (ms). */
  latencies: number[]
  /** The same for those refused 503 by admission control (shed at once, to retry later). */
  shedLatencies: number[]
  /** Requests due in the window answered with another status, by status. */
  refused: Record<string, number>
  /** Requests due in the window still unanswered when the drain time ran out. */
  unanswered: number
  /** Requests due in the window answered only after the window closed. */
  late: number
  /** The first refusals' bodies, for the log. */
  samples: string[]
}

export interface LoadResult {
  endpoints: EndpointResult[]
  /** Accepted events answered in each second of the window. */
  perSecond: number[]
  /** Requests due by the end of the window but not answered then. */
  backlogAtEnd: number
  /** Ids of every event an accepted answer acknowledged (in the window or not), to check none is lost. */
  acknowledged: string[]
  /** CPU seconds (user + system) of the load generator over the window. */
  cpuSeconds: number
  buildSeconds: number
}

export type LoadMessage =
  | { type: 'ready'; buildSeconds: number }
  | { type: 'measuring' }
  | { type: 'window-end' }
  | { type: 'result'; result: LoadResult }

const json = (token: string, path: string, body: unknown): Prepared => ({
  path,
  token,
  body: JSON.stringify(body),
})

/** Every request of the run, by endpoint, in the order they will be sent. */
async function prepare(info: ServerInfo, plan: MixPlan): Promise<Record<EndpointKey, Prepared[]>> {
  const n = plan.requests
  const now = Date.parse(info.now)
  const keys = await Promise.all(info.running.map((c) => importJWK(c.deviceJwk, 'EdDSA')))
  const faceChecks: Prepared[] = []
  for (let k = 0; k < n.faceChecks; k++) {
    const ci = k % info.running.length
    const cls = info.running[ci]!
    const slot = Math.floor(k / info.running.length)
    const s = cls.sessions[slot % cls.sessions.length]!
    const round = Math.floor(slot / cls.sessions.length)
    const start = Date.parse(s.start)
    const end = Date.parse(s.end)
    // First time round: each worker's sign-in and sign-out; after that, two spot checks each.
    const checks = cls.roster.flatMap((worker, i) => {
      const spot = start + (600 + ((round * 180 + i * 2) % 10_800)) * 1000
      const times =
        round === 0
          ? [
              [start + (60 + i * 6) * 1000, 'sign_in'],
              [end - (60 + i * 6) * 1000, 'sign_out'],
            ]
          : [
              [spot, 'spot'],
              [Math.min(end, spot + 90_000), 'spot'],
            ]
      return times.map(([at, purpose], j) => ({
        worker,
        session: s.session,
        checkedAt: new Date(at as number).toISOString(),
        purpose,
        result: (k + i + j) % 37 === 0 ? 'fail' : 'pass',
        matchScore: 0.8 + ((i + j) % 20) / 100,
        liveness: { method: 'silent', score: 0.97, passed: true },
        place: { lat: 38.0428, lon: 114.5149 },
        templateHash: worker.padEnd(64, '0'),
      }))
    })
    const payload = { device: cls.device, class: cls.id, batchId: `run-${k}`, checks }
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: cls.device })
      .sign(keys[ci]!)
    faceChecks.push(json(cls.deviceToken, '/v1/face-check-batches', { jws }))
  }
  const enrolments = Array.from({ length: n.enrolments }, (_, k) => {
    // Round robin over the classes, so the enrolments of one class are seconds apart.
    const cls = info.enrolling[k % info.enrolling.length]!
    return json(info.staffTokens[cls.institution]!, `/v1/classes/${cls.id}/enrolments`, {
      cardNumber: card(info.nextCard + k),
      name: '李秀英',
      phone: '13812345678',
      identity: {
        method: 'ssc_platform',
        platform: 'ssc-national',
        platformRef: `SSCP-RUN-${k}`,
        result: 'passed',
        verifiedAt: new Date(now - 600_000).toISOString(),
      },
    })
  })
  const completions = Array.from({ length: n.completions }, (_, k) => {
    const t = info.completionTargets[k % info.completionTargets.length]!
    return json(info.staffTokens[t.institution]!, '/v1/completions', { worker: t.worker, class: t.class })
  })
  const claims = Array.from({ length: n.claims }, (_, k) => {
    const t = info.claimTargets[k % info.claimTargets.length]!
    return json(info.staffTokens[t.institution]!, '/v1/claims', {
      worker: t.worker,
      region: info.region,
      kind: 'training',
      payee: { kind: 'provider', id: t.institution },
      amount: 220_000,
      class: t.class,
    })
  })
  const lookups = Array.from({ length: n.lookups }, (_, k) =>
    json(info.cardServiceToken, '/v1/archive/lookup', {
      cardNumber: info.cards[(k * 7919) % info.cards.length],
      purpose: 'card_holder_request',
    }),
  )
  return { faceChecks, enrolments, completions, claims, lookups }
}

/** The ids of the events an accepted answer says were appended. */
function eventsOf(key: EndpointKey, body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { ids?: string[]; access?: { event?: string } }
    if (key === 'lookups') return parsed.access?.event ? [parsed.access.event] : []
    return parsed.ids ?? []
  } catch {
    return []
  }
}

export async function runLoad(
  info: ServerInfo,
  plan: MixPlan,
  drainSeconds: number,
  send: (m: LoadMessage) => void,
  go: Promise<void>,
): Promise<LoadResult> {
  const built = performance.now()
  const prepared = await prepare(info, plan)
  const buildSeconds = (performance.now() - built) / 1000
  // One timeline of every request: endpoint e's k-th is due at (k + e/5) / rate seconds.
  const schedule: { at: number; e: number; k: number }[] = []
  endpoints.forEach((endpoint, e) => {
    const rate = plan.requestRates[endpoint.key]
    for (let k = 0; k < prepared[endpoint.key].length; k++)
      schedule.push({ at: ((k + e / endpoints.length) / rate) * 1000, e, k })
  })
  schedule.sort((a, b) => a.at - b.at)
  send({ type: 'ready', buildSeconds })
  await go

  const url = new URL(info.url)
  // The open loop stands for many independent clients: no request may wait for a connection of
  // the generator's own pool. (With 256 connections, refusals waited there: shed p99 175–216 ms
  // against 66 ms with this many, in runs of 2026-12-07; BENCHMARKS.md.)
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 })
  const t0 = performance.now() + 50
  const from = t0 + plan.warmup * 1000
  const end = from + plan.seconds * 1000
  const results: EndpointResult[] = endpoints.map((endpoint) => ({
    key: endpoint.key,
    offered: 0,
    acceptedInWindow: 0,
    eventsInWindow: 0,
    latencies: [],
    shedLatencies: [],
    refused: {},
    unanswered: 0,
    late: 0,
    samples: [],
  }))
  const perSecond = new Array<number>(plan.seconds).fill(0)
  const acknowledged: string[] = []
  let cpuFrom = process.cpuUsage()
  let cpuSeconds = 0
  let backlogAtEnd = 0
  const outstanding = new Set<{ due: number; e: number }>()
  // The generator's own loop: an answer read late counts against the server's latency.
  const ownLoop = loopDelays()
  setTimeout(() => {
    cpuFrom = process.cpuUsage()
    ownLoop.reset()
    send({ type: 'measuring' })
  }, from - performance.now())
  const windowClosed = new Promise<void>((resolve) =>
    setTimeout(() => {
      const cpu = process.cpuUsage(cpuFrom)
      cpuSeconds = (cpu.user + cpu.system) / 1e6
      for (const o of outstanding) if (o.due < end) backlogAtEnd++
      process.stderr.write(`  load generator over the window: ${ownLoop.summary()}\n`)
      send({ type: 'window-end' })
      resolve()
    }, end - performance.now()),
  )

  const fire = (e: number, k: number, due: number) => {
    const endpoint = endpoints[e]!
    const r = results[e]!
    const { path, token, body } = prepared[endpoint.key][k]!
    const inWindow = due >= from && due < end
    if (inWindow) r.offered++
    const mark = { due, e }
    outstanding.add(mark)
    const done = (status: number, text: string) => {
      if (!outstanding.delete(mark)) return
      const at = performance.now()
      const ok = status === endpoint.ok
      const ids = ok ? eventsOf(endpoint.key, text) : []
      for (const id of ids) acknowledged.push(id)
      if (ok && at >= from && at < end) {
        r.acceptedInWindow++
        r.eventsInWindow += ids.length
        perSecond[Math.floor((at - from) / 1000)]! += ids.length
      }
      if (!inWindow) return
      if (ok) r.latencies.push(at - due)
      else if (status === 503 && text.includes('TREC_OVERLOADED')) r.shedLatencies.push(at - due)
      if (at >= end) r.late++
      if (!ok) {
        const label = status === 0 ? 'error' : String(status)
        r.refused[label] = (r.refused[label] ?? 0) + 1
        if (r.samples.length < 3) r.samples.push(`${label} ${text.slice(0, 300)}`)
      }
    }
    void sendJson(agent, new URL(path, url).href, endpoint.method, token, body).then((a) =>
      done(a.status, a.text),
    )
  }

  let i = 0
  while (i < schedule.length) {
    const now = performance.now()
    while (i < schedule.length && t0 + schedule[i]!.at <= now) {
      const { at, e, k } = schedule[i++]!
      fire(e, k, t0 + at)
    }
    if (i < schedule.length)
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + schedule[i]!.at - performance.now() - 0.5)))
  }
  await windowClosed
  // The drain: answers still owed after the last request was sent, up to `drainSeconds`.
  const deadline = performance.now() + drainSeconds * 1000
  while (outstanding.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  for (const o of outstanding) if (o.due >= from && o.due < end) results[o.e]!.unanswered++
  outstanding.clear()
  agent.destroy()
  return { endpoints: results, perSecond, backlogAtEnd, acknowledged, cpuSeconds, buildSeconds }
}
