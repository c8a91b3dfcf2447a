import {
  type AppendMetadata,
  decodeRecorded,
  type Envelope,
  type EventDataToAppend,
  toEventToAppend,
} from '@trec/contracts'
import { isTrecError, TrecError } from '@trec/core'
import type { EventStore, EventToAppend, StreamAppend } from '@trec/eventstore'

// Every read of a person's record appends a RecordAccessed to `access-{worker}` before the answer
// is sent (fail closed: research note anchors-audit §4.3). Reads arrive concurrently, so the log
// commits them in groups: while one append is in flight, the next reads queue, and all of them go
// in the next atomic multi-stream append. A read waits for its own event to be stored; if that
// append fails, every read in the group fails, and none of them is answered.

export const accessSource = 'trec.archive'

interface Pending {
  stream: string
  event: EventToAppend
  resolve: () => void
  reject: (error: unknown) => void
}

export class AccessLog {
  readonly #store: EventStore
  readonly #maxBatch: number
  #pending: Pending[] = []
  #flushing = false

  constructor(store: EventStore, options: { maxBatch?: number } = {}) {
    this.#store = store
    this.#maxBatch = options.maxBatch ?? 256
  }

  /** Appends one access event; resolves when it is stored, with its id. */
  async record(data: EventDataToAppend<'RecordAccessed'>, meta: AppendMetadata): Promise<string> {
    let event: EventToAppend
    try {
      event = toEventToAppend({ type: 'RecordAccessed', data }, meta) as EventToAppend
    } catch (error) {
      // The read cannot be recorded (e.g. a token subject outside the id alphabet): refuse it.
      throw new TrecError(
        'TREC_FORBIDDEN',
        'this read cannot be recorded in the access log, so it is refused',
        {
          details: { reason: 'unrecordable access' },
          cause: error,
        },
      )
    }
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ stream: `access-${data.worker}`, event, resolve, reject })
      if (!this.#flushing) void this.#flush()
    })
    return event.id
  }

  async #flush(): Promise<void> {
    this.#flushing = true
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch)
        const byStream = new Map<string, EventToAppend[]>()
        for (const p of batch) byStream.set(p.stream, [...(byStream.get(p.stream) ?? []), p.event])
        const appends: StreamAppend[] = [...byStream].map(([stream, events]) => ({
          stream,
          events,
          expectedRevision: 'any',
        }))
        try {
          if (appends.length === 1) await this.#store.append(appends[0]!.stream, appends[0]!.events)
          else await this.#store.appendMany(appends)
          for (const p of batch) p.resolve()
        } catch (error) {
          // Whatever went wrong, the reads in this group were not recorded: none is answered.
          for (const p of batch) p.reject(unavailable(error))
        }
      }
    } finally {
      this.#flushing = false
    }
  }
}

function unavailable(cause: unknown): TrecError {
  if (isTrecError(cause, 'TREC_STORE_UNAVAILABLE')) return cause
  return new TrecError(
    'TREC_STORE_UNAVAILABLE',
    'the access log could not be written, so the read is refused',
    {
      canRetry: true,
      cause,
    },
  )
}

/** The access events of one worker, oldest first, from `fromRevision` (inclusive). */
export async function readAccessLog(
  store: EventStore,
  worker: string,
  options: { fromRevision?: number; limit?: number } = {},
): Promise<Envelope<'RecordAccessed'>[]> {
  const events = await store.readStream(`access-${worker}`, {
    fromRevision: options.fromRevision ?? 0,
    maxCount: options.limit ?? 100,
  })
  return events.map((e) => decodeRecorded(e) as Envelope<'RecordAccessed'>)
}
