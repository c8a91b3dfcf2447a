/**
 * A wake-up for feed readers: appends in this process call `notify()`, readers `wait()` for
 * it or for a timeout (appends from other processes are found by the timed poll). A reader
 * passes the generation it saw before reading, so a notify that lands between its read and
 * its wait is not lost.
 */
export class Wake {
  #waiters = new Set<() => void>()
  generation = 0

  notify(): void {
    this.generation++
    const waiters = [...this.#waiters]
    this.#waiters.clear()
    for (const w of waiters) w()
  }

  wait(ms: number, seenGeneration: number, signal?: AbortSignal): Promise<void> {
    if (seenGeneration !== this.generation || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}
