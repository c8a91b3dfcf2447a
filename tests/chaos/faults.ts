import type { Supervised } from './processes.ts'

// The fault schedule: SIGKILL of a random service process, spread over the fault window with
// jitter, each started again after a short random delay; the Kafka broker restarted (a crash:
// SIGKILL of its JVM) about a third of the way in, PostgreSQL restarted (immediate shutdown: a
// crash, WAL recovery on start) about two thirds of the way in. Each fault is timed until the
// thing hit answers again.

export interface FaultOptions {
  kills: number
  brokerRestarts: number
  postgresRestarts: number
  /** Delay before a killed process is started again, ms. */
  restartDelayMs: [number, number]
}

export interface FaultRecord {
  /** Seconds into the fault window. */
  at: number
  kind: 'kill -9' | 'broker restart' | 'postgres restart'
  target: string
  /** How long until it answered again (ready), ms; undefined if it did not within the limit. */
  recoveredMs?: number
  note?: string
}

export interface FaultTargets {
  processes: Supervised[]
  restartBroker?: () => Promise<void>
  restartPostgres?: () => Promise<void>
  log: (line: string) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo)

export class FaultInjector {
  readonly records: FaultRecord[] = []
  readonly #o: FaultOptions
  readonly #t: FaultTargets
  readonly #pending = new Set<Promise<void>>()
  #start = 0

  constructor(options: FaultOptions, targets: FaultTargets) {
    this.#o = options
    this.#t = targets
  }

  #at(): number {
    return Math.round((Date.now() - this.#start) / 100) / 10
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p)
    void p.finally(() => this.#pending.delete(p))
  }

  /** Injects every fault between now and `endAt`, and waits until everything hit has recovered. */
  async run(endAt: number): Promise<void> {
    this.#start = Date.now()
    const window = endAt - this.#start
    const plan: { at: number; run: () => Promise<void> }[] = []
    const slot = (window - 15_000) / Math.max(1, this.#o.kills)
    for (let i = 0; i < this.#o.kills; i++)
      plan.push({ at: 5000 + slot * (i + 0.2 + Math.random() * 0.6), run: () => this.#kill() })
    for (let i = 0; i < this.#o.brokerRestarts; i++)
      plan.push({
        at: window * ((i + 1) / (this.#o.brokerRestarts + 1)) * 0.7,
        run: () => this.#restart('broker restart', 'kafka', this.#t.restartBroker),
      })
    for (let i = 0; i < this.#o.postgresRestarts; i++)
      plan.push({
        at: window * (0.3 + 0.6 * ((i + 1) / (this.#o.postgresRestarts + 1))),
        run: () => this.#restart('postgres restart', 'postgresql', this.#t.restartPostgres),
      })
    plan.sort((a, b) => a.at - b.at)
    for (const step of plan) {
      const wait = this.#start + step.at - Date.now()
      if (wait > 0) await sleep(wait)
      this.#track(step.run())
    }
    await Promise.all(this.#pending)
  }

  async #kill(): Promise<void> {
    const up = this.#t.processes.filter((p) => p.running)
    const target = up[Math.floor(Math.random() * up.length)]
    if (!target) return
    const record: FaultRecord = { at: this.#at(), kind: 'kill -9', target: target.spec.name }
    this.records.push(record)
    const pid = target.pid
    const started = Date.now()
    await target.kill9()
    const delay = between(this.#o.restartDelayMs)
    this.#t.log(
      `  ${record.at.toFixed(1)} s  kill -9 ${target.spec.name} (pid ${pid}), restart in ${Math.round(delay)} ms`,
    )
    await sleep(delay)
    target.start()
    if (await target.waitReady(120_000)) record.recoveredMs = Date.now() - started
    else record.note = 'not ready within 120 s of its restart'
  }

  async #restart(kind: FaultRecord['kind'], target: string, restart: (() => Promise<void>) | undefined) {
    const record: FaultRecord = { at: this.#at(), kind, target }
    if (!restart) {
      record.note = 'skipped'
      this.records.push(record)
      return
    }
    this.records.push(record)
    this.#t.log(`  ${record.at.toFixed(1)} s  ${kind}`)
    const started = Date.now()
    try {
      await restart()
      record.recoveredMs = Date.now() - started
      this.#t.log(`  ${this.#at().toFixed(1)} s  ${target} answers again after ${record.recoveredMs} ms`)
    } catch (error) {
      record.note = `failed: ${(error as Error).message.split('\n')[0]}`
      this.#t.log(`  ${kind} failed: ${record.note}`)
    }
  }
}
