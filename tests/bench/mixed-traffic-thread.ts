import { readFileSync } from 'node:fs'
import type { Front } from '@trec/fastify-kit'

// The request thread of the bench's server, over the measured window: its event-loop delay (how
// late a 10 ms timer fires: what a request that arrives waits before it is read) and its own CPU
// time (Linux /proc: the main thread's task has the process's id), apart from the read side's
// thread. The bench signals the window's start (SIGUSR1) and end (SIGUSR2); at the end the server
// prints one line on stderr.

const tickMs = 10

/** CPU seconds of this process's main thread so far (clock ticks of 1/100 s). */
function mainThreadCpu(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/** CPU seconds of the whole process so far (every thread). */
const processCpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

const ms = (v: number) => `${v.toFixed(1)} ms`

/**
 * How late a 10 ms timer fires on this thread, from the last `reset()` on: what a message that
 * arrives waits before this thread reads it (its own work, and the time it is not scheduled).
 */
export function loopDelays(): { reset(): void; summary(): string } {
  let delays: number[] = []
  let expected = performance.now() + tickMs
  setInterval(() => {
    const now = performance.now()
    delays.push(Math.max(0, now - expected))
    expected = now + tickMs
  }, tickMs).unref()
  return {
    reset: () => {
      delays = []
    },
    summary: () => {
      const sorted = [...delays].sort((a, b) => a - b)
      return `event-loop delay p50 ${ms(quantile(sorted, 0.5))}, p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? 0)}`
    },
  }
}

/**
 * Prints the request thread's figures over the window, and the front thread's (its loop delay
 * and CPU) when the server runs behind one (`front()`, once it listens).
 */
export function watchRequestThread(requestsAnswered: () => number, front: () => Front | undefined): void {
  const delays = loopDelays()
  let start = { thread: 0, process: 0, at: 0, answered: 0 }
  process.on('SIGUSR1', () => {
    delays.reset()
    void front()?.stats(true)
    start = {
      thread: mainThreadCpu(),
      process: processCpu(),
      at: performance.now(),
      answered: requestsAnswered(),
    }
  })
  process.on('SIGUSR2', async () => {
    const seconds = (performance.now() - start.at) / 1000
    const thread = mainThreadCpu() - start.thread
    const all = processCpu() - start.process
    const answered = requestsAnswered() - start.answered
    process.stderr.write(
      `  server: request thread over the window: ${delays.summary()}; CPU ${(thread / seconds).toFixed(2)} of a core (whole process ${(all / seconds).toFixed(2)}); ${answered} requests answered, ${((thread / Math.max(1, answered)) * 1e6).toFixed(0)} µs of request-thread CPU each (${((all / Math.max(1, answered)) * 1e6).toFixed(0)} µs of the process)\n`,
    )
    const stats = await front()?.stats()
    if (stats)
      process.stderr.write(
        `  server: front thread over the window: event-loop delay p50 ${ms(stats.loopDelayMs.p50)}, p99 ${ms(stats.loopDelayMs.p99)}, max ${ms(stats.loopDelayMs.max)}; CPU ${(stats.cpuSeconds / seconds).toFixed(2)} of a core\n`,
      )
  })
}
