/**
 * Runs tasks that share a key one after another, in the order they asked (FIFO per key), while
 * tasks with disjoint keys run at once. A task takes all its keys in one synchronous step, so
 * the waits-for graph follows that order and cannot form a cycle: no deadlock whatever the keys.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>()

  async run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)]
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const before: Promise<void>[] = []
    for (const key of unique) {
      const tail = this.#tails.get(key)
      if (tail) before.push(tail)
      this.#tails.set(key, held)
    }
    try {
      await Promise.all(before)
      return await task()
    } finally {
      release()
      for (const key of unique) if (this.#tails.get(key) === held) this.#tails.delete(key)
    }
  }

  /** Keys held or waited for now (for tests: the map must not grow without bound). */
  get size(): number {
    return this.#tails.size
  }
}

/** Maps with at most `limit` calls of `fn` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i]!, i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
