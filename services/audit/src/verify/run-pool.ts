import * as nodeModule from 'node:module'
import { Worker } from 'node:worker_threads'
import type { RunResult, RunSetup } from './lines.ts'

// Worker threads that check runs of lines of one export (`RunChecker`, lines.ts), each run on the
// next thread in turn; the answers come back as promises, which the caller merges in file order.
// A run's whole buffer is handed over to the thread and comes back with the answer.

/** A run's result, and the run, back in this thread. */
export interface Checked {
  result: RunResult
  run: Uint8Array
}

/**
 * The thread's module, beside this one: run-worker.ts in the workspace; run-worker.js in the
 * bundled package (@trec/verify), where this code sits in a `.js` file.
 */
const workerModule = new URL(
  import.meta.url.endsWith('.ts') ? './run-worker.ts' : './run-worker.js',
  import.meta.url,
)

export class RunPool {
  readonly #workers: Worker[]
  readonly #waiting = new Map<number, { resolve: (c: Checked) => void; reject: (e: Error) => void }>()
  #next = 0

  constructor(threads: number, setup: RunSetup) {
    // A thread loads its modules from the compile cache too, when this one has one.
    // (getCompileCacheDir is Node 22.8's; before it, no cache.)
    const cache = nodeModule.getCompileCacheDir?.()
    const env = cache === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: cache }
    this.#workers = Array.from({ length: threads }, () => {
      const worker = new Worker(workerModule, { workerData: setup, env })
      worker.on('message', ({ id, ...checked }: Checked & { id: number }) => {
        this.#waiting.get(id)?.resolve(checked)
        this.#waiting.delete(id)
      })
      worker.on('error', (error) => this.#failAll(error))
      worker.on('exit', (code) => {
        if (code !== 0) this.#failAll(new Error(`a verifying thread stopped (exit code ${code})`))
      })
      return worker
    })
  }

  /** Checks one run on the next thread. Its buffer is unusable here until the answer comes. */
  check(run: Buffer): Promise<Checked> {
    const id = this.#next++
    const worker = this.#workers[id % this.#workers.length]!
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      worker.postMessage({ id, run }, [run.buffer as ArrayBuffer])
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
