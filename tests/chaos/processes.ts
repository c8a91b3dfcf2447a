import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'

// The system's processes, each a real `node` running an entry point of @trec/app, supervised as an
// orchestrator would: a process the run kills with SIGKILL is started again after a short delay
// by the fault schedule; one that exits by itself (a crash, say because its database or broker
// was down while it started) is started again after a second, and counted.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface ProcessSpec {
  name: string
  /** Entry point, relative to the workspace root. */
  entry: string
  port: number
  env: Record<string, string>
}

export interface ProcessStats {
  name: string
  starts: number
  kills: number
  /** Exits the run did not cause, with the last stderr line before each. */
  crashes: { at: number; code: number | null; signal: string | null; lastLine: string }[]
}

export class Supervised {
  readonly spec: ProcessSpec
  readonly stats: ProcessStats
  readonly #root: string
  readonly #log: WriteStream
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #expectExit = false
  #stopping = false
  #lastLine = ''
  #restartTimer: NodeJS.Timeout | undefined

  constructor(spec: ProcessSpec, root: string, logDir: string) {
    this.spec = spec
    this.#root = root
    this.#log = createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'a' })
    this.stats = { name: spec.name, starts: 0, kills: 0, crashes: [] }
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`
  }

  get running(): boolean {
    return this.#child !== undefined
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  start(): void {
    if (this.#child || this.#stopping) return
    this.#expectExit = false
    this.stats.starts++
    this.#log.write(`\n=== start #${this.stats.starts} at ${new Date().toISOString()}\n`)
    const child = spawn(process.execPath, [join(this.#root, this.spec.entry)], {
      cwd: this.#root,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    const keep = (chunk: Buffer) => {
      this.#log.write(chunk)
      const lines = chunk.toString().trim().split('\n')
      const last = lines[lines.length - 1]
      if (last) this.#lastLine = last.slice(0, 300)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#log.write(`=== exit ${code ?? signal} at ${new Date().toISOString()}\n`)
        this.#child = undefined
        if (!this.#expectExit && !this.#stopping) {
          this.stats.crashes.push({ at: Date.now(), code, signal, lastLine: this.#lastLine })
          this.#restartTimer = setTimeout(() => this.start(), 1000)
        }
        resolve()
      })
    })
  }

  /** SIGKILL, and wait until it is gone; answers false when it was not running. */
  async kill9(): Promise<boolean> {
    const child = this.#child
    if (!child) return false
    this.#expectExit = true
    child.kill('SIGKILL')
    await this.#exited
    this.stats.kills++
    return true
  }

  /** Whether it answers /health/ready with 200. */
  ready(): Promise<boolean> {
    return answersReady(this.url)
  }

  async waitReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.#child && (await this.ready())) return true
      await sleep(200)
    }
    return false
  }

  /** SIGTERM (a graceful shutdown), SIGKILL after `graceMs`; no restart afterwards. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#restartTimer)
    const child = this.#child
    if (child) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await this.#exited
      clearTimeout(timer)
    }
    await new Promise<void>((resolve) => this.#log.end(() => resolve()))
  }
}

/** Whether the process serving `baseUrl` answers /health/ready with 200. */
export async function answersReady(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(3000) })
    await res.text()
    return res.status === 200
  } catch {
    return false
  }
}
