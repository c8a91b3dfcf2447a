// Runs one measurement: `concurrency` loops, each awaiting one operation after another, first
// for a warm-up (connections opened, caches and plans warm) and then for the measured time.

export interface Measurement {
  events: number
  seconds: number
  /** events / seconds */
  rate: number
  /** This process's CPU time (user + system) per event, in microseconds: the client's share. */
  clientCpuUsPerEvent: number
}

export interface RunOptions {
  concurrency: number
  warmupSeconds: number
  seconds: number
  /** One operation; answers how many events it wrote or read. */
  op: () => Promise<number>
  /** Called about every `tickSeconds` during the measured part. */
  onTick?: (elapsedSeconds: number, events: number) => void
  tickSeconds?: number
}

async function loop(
  concurrency: number,
  seconds: number,
  op: () => Promise<number>,
  tick?: { every: number; onTick: (elapsed: number, events: number) => void },
): Promise<{ events: number; seconds: number }> {
  const start = performance.now()
  const end = start + seconds * 1000
  let events = 0
  let failure: unknown
  const timer = tick
    ? setInterval(() => tick.onTick((performance.now() - start) / 1000, events), tick.every * 1000)
    : undefined
  const worker = async () => {
    while (failure === undefined && performance.now() < end) {
      try {
        // Not `events += await op()`: that reads `events` before the await and would drop
        // the other loops' counts made meanwhile.
        const n = await op()
        events += n
      } catch (error) {
        failure ??= error
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    clearInterval(timer)
  }
  if (failure !== undefined) throw failure
  // The last operations may end after the deadline; they count, and so does their time.
  return { events, seconds: (performance.now() - start) / 1000 }
}

export async function measure(options: RunOptions): Promise<Measurement> {
  if (options.warmupSeconds > 0) await loop(options.concurrency, options.warmupSeconds, options.op)
  const cpu = process.cpuUsage()
  const tick =
    options.onTick && options.tickSeconds ? { every: options.tickSeconds, onTick: options.onTick } : undefined
  const { events, seconds } = await loop(options.concurrency, options.seconds, options.op, tick)
  const used = process.cpuUsage(cpu)
  return {
    events,
    seconds,
    rate: events / seconds,
    clientCpuUsPerEvent: events > 0 ? (used.user + used.system) / events : 0,
  }
}
