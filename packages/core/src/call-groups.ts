// Group calls: calls that arrive while a group of their kind is in flight wait for it and then
// go together in the next group. Nothing waits on a timer: a call that finds nothing in flight
// is sent at once, alone. Under load this turns many round trips into one (group commit for
// appends, `= any($1)` for reads); when idle it adds no latency. `take` chooses which of the
// waiting calls form the next group (by size, or so that two calls that must not share a group
// don't); the rest wait for the one after.

export interface WaitingCall<In, Out> {
  input: In
  resolve: (out: Out) => void
  reject: (error: unknown) => void
}

export type TakeGroup<In, Out> = (
  queue: WaitingCall<In, Out>[],
) => [WaitingCall<In, Out>[], WaitingCall<In, Out>[]]

/**
 * Settles a group through `many` (one statement or transaction for all of it) when it has more
 * than one call; when that fails, or for a call alone, each call through `alone`, for its own
 * outcome (a shared write is atomic, so nothing of the failed one was done).
 */
export async function togetherOrAlone<In, Out>(
  group: WaitingCall<In, Out>[],
  many: (inputs: In[]) => Promise<Out[]>,
  alone: (input: In) => Promise<Out>,
): Promise<void> {
  if (group.length > 1) {
    const outs = await many(group.map((w) => w.input)).catch(() => undefined)
    if (outs) {
      for (const [i, w] of group.entries()) w.resolve(outs[i]!)
      return
    }
  }
  await Promise.all(group.map((w) => alone(w.input).then(w.resolve, w.reject)))
}

/** The first `max` calls form the group. */
export const firstCalls =
  <In, Out>(max: number): TakeGroup<In, Out> =>
  (queue) => [queue.slice(0, max), queue.slice(max)]

export class CallGroups<In, Out> {
  #queue: WaitingCall<In, Out>[] = []
  #busy = false
  readonly #take: TakeGroup<In, Out>
  readonly #run: (group: WaitingCall<In, Out>[]) => Promise<void>

  /** `run` settles every call of its group; if it throws, the calls it left unsettled get the error. */
  constructor(
    run: (group: WaitingCall<In, Out>[]) => Promise<void>,
    take: TakeGroup<In, Out> = (q) => [q, []],
  ) {
    this.#run = run
    this.#take = take
  }

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject })
      if (!this.#busy) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#busy = true
    try {
      while (this.#queue.length > 0) {
        const [group, rest] = this.#take(this.#queue)
        this.#queue = rest
        await this.#run(group).catch((error: unknown) => {
          for (const w of group) w.reject(error)
        })
      }
    } finally {
      this.#busy = false
    }
  }
}
