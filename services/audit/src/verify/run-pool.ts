import { Worker } from 'node:worker_threads'
import type { RunResult, RunSetup } from './lines.ts'

// Worker threads that check runs of lines of one export (`RunChecker`, lines.ts), each run on the
// next thread in turn; the answers come back as promises, which the caller merges in file order.

export class RunPool {
  readonly #workers: Worker[]
  readonly #waiting = new Map<number, { resolve: (r: RunResult) => void; reject: (e: Error) => void }>()
  #next = 0

  constructor(threads: number, setup: RunSetup) {
    this.#workers = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./run-worker.ts', import.meta.url), { workerData: setup })
      worker.on('message', ({ id, result }: { id: number; result: RunResult }) => {
        this.#waiting.get(id)?.resolve(result)
        this.#waiting.delete(id)
      })
      worker.on('error', (error) => this.#failAll(error))
      worker.on('exit', (code) => {
        if (code !== 0) this.#failAll(new Error(`a verifying thread stopped (exit code ${code})`))
      })
      return worker
    })
  }

  /** Checks one run on the next thread. The run's memory is handed over when it owns it whole. */
  check(run: Buffer): Promise<RunResult> {
    const id = this.#next++
    const worker = this.#workers[id % this.#workers.length]!
    const whole = run.byteOffset === 0 && run.byteLength === run.buffer.byteLength
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      worker.postMessage({ id, run }, whole ? [run.buffer as ArrayBuffer] : [])
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }

  #failAll(error: Error): void {
    for (const w of this.#waiting.values()) w.reject(error)
    this.#waiting.clear()
  }
}
