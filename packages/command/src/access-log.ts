import {
  type Actor,
  type AppendMetadata,
  decodeRecorded,
  type Envelope,
  type EventDataToAppend,
  toEventToAppend,
} from '@trec/contracts'
import { CallGroups, firstCalls, isTrecError, TrecError, type WaitingCall } from '@trec/core'
import type { EventStore, EventToAppend, StreamAppend } from '@trec/eventstore'

// Every read of a person's record, by any service, appends a RecordAccessed to `access-{worker}` before the answer
// is sent (fail closed: docs/architecture.md, "Reads are recorded"). Reads arrive concurrently, so the log
// commits them in groups: while one append is in flight, the next reads queue, and all of them go
// in the next atomic multi-stream append. A read waits for its own event to be stored; if that
// append fails, every read in the group fails, and none of them is answered.

/** Who reads: the actor of the access event, the calling system and the HTTP request id. */
export interface Reader {
  actor: Actor
  client: string
  requestId: string
}

const administrators = new Set(['subsidy_officer', 'finance', 'reviewer', 'assessor'])

interface Access {
  stream: string
  event: EventToAppend
}

export class AccessLog {
  readonly #store: EventStore
  readonly #groups: CallGroups<Access, void>

  constructor(store: EventStore, options: { maxBatch?: number } = {}) {
    this.#store = store
    this.#groups = new CallGroups((group) => this.#append(group), firstCalls(options.maxBatch ?? 256))
  }

  /** Appends one access event; resolves when it is stored, with its id. */
  async record(data: EventDataToAppend<'RecordAccessed'>, meta: AppendMetadata): Promise<string> {
    const event = accessEvent(data, meta)
    await this.#groups.call({ stream: `access-${data.worker}`, event })
    return event.id
  }

  /**
   * Records one read of a worker's data by an HTTP caller (`reader`: see `readerOf` in
   * @trec/fastify-kit), before the answer is sent. The purpose is the reader's own: officers,
   * reviewers, assessors and finance read in the ordinary course of their duties
   * (`administration`); anyone else reads for supervision, flagged when no case is named.
   */
  async recordRead(
    reader: Reader,
    read: {
      worker: string
      view: EventDataToAppend<'RecordAccessed'>['view']
      found?: boolean
      caseRef?: string
    },
    where: { at: Date; source: string; region: string },
  ): Promise<string> {
    const administering = administrators.has(reader.actor.kind)
    return this.record(
      {
        worker: read.worker,
        view: read.view,
        purpose: administering ? 'administration' : 'supervision_inspection',
        ...(read.caseRef === undefined ? {} : { caseRef: read.caseRef }),
        client: reader.client,
        requestId: reader.requestId,
        found: read.found ?? true,
        flags: administering || read.caseRef !== undefined ? [] : ['no_case_ref'],
      },
      { occurredAt: where.at.toISOString(), actor: reader.actor, source: where.source, region: where.region },
    )
  }

  async #append(group: WaitingCall<Access, void>[]): Promise<void> {
    const byStream = new Map<string, EventToAppend[]>()
    for (const { input } of group)
      byStream.set(input.stream, [...(byStream.get(input.stream) ?? []), input.event])
    const appends: StreamAppend[] = [...byStream].map(([stream, events]) => ({
      stream,
      events,
      expectedRevision: 'any',
    }))
    try {
      if (appends.length === 1) await this.#store.append(appends[0]!.stream, appends[0]!.events)
      else await this.#store.appendMany(appends)
    } catch (error) {
      // Whatever went wrong, the reads in this group were not recorded: none is answered.
      throw accessLogUnavailable(error)
    }
    for (const w of group) w.resolve()
  }
}

/**
 * The RecordAccessed event of a read, checked, as the access log appends it (for a caller that
 * appends it itself, in the same statement as its read). A read that cannot be recorded (e.g. a
 * token subject outside the id alphabet) is refused.
 */
export function accessEvent(data: EventDataToAppend<'RecordAccessed'>, meta: AppendMetadata): EventToAppend {
  try {
    return toEventToAppend({ type: 'RecordAccessed', data }, meta) as EventToAppend
  } catch (error) {
    throw new TrecError(
      'TREC_FORBIDDEN',
      'this read cannot be recorded in the access log, so it is refused',
      {
        details: { reason: 'unrecordable access' },
        cause: error,
      },
    )
  }
}

/** Whatever went wrong in appending access events: those reads were not recorded, and are refused (503). */
export function accessLogUnavailable(cause: unknown): TrecError {
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

/** What a worker's access stream holds: reads of the record, and exports of its history. */
export type AccessEvent = Envelope<'RecordAccessed'> | Envelope<'RecordsExported'>

/** The access events of one worker, oldest first, from `fromRevision` (inclusive). */
export async function readAccessLog(
  store: EventStore,
  worker: string,
  options: { fromRevision?: number; limit?: number } = {},
): Promise<AccessEvent[]> {
  const events = await store.readStream(`access-${worker}`, {
    fromRevision: options.fromRevision ?? 0,
    maxCount: options.limit ?? 100,
  })
  return events.map((e) => decodeRecorded(e) as AccessEvent)
}
