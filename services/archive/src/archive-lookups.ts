import { type AccessLog, accessEvent, accessLogUnavailable } from '@trec/command'
import type { AppendMetadata, EventDataToAppend } from '@trec/contracts'
import { CallGroups, uuidv7, type WaitingCall } from '@trec/core'
import type { AppendResult, EventToAppend } from '@trec/eventstore'
import type { WorkerArchive } from '@trec/readmodels'
import type { ArchiveReads } from './archive-reads.ts'

// A lookup reads the archive, then logs the read (RecordAccessed, which says whether anything was
// found) before answering. Apart, that is two round trips one after the other: the append cannot
// be sent before the read says `found`. When the event store keeps its tables in the read
// model's database, a lookup alone does both in one statement (`appendAfterRead`: the read, then
// the event of its outcome appended and committed), so one round trip. Lookups that arrive while
// one is in flight wait for it; then a few go at once, each in its own statement, and more go
// together the usual way: a shared read, then a shared append (group commit).

/** The event store's statement that reads and appends at once (the SQL stores have it). */
export interface ReadThenAppend {
  appendAfterRead(
    read: { sql: string; params: unknown[] },
    stream: string,
    events: (found: boolean) => EventToAppend[],
  ): Promise<{ row: Record<string, unknown> | undefined; result: AppendResult }>
}

/** A lookup's read and its access event, all but whether the read found the archive. */
export interface Lookup {
  worker: string
  access: Omit<EventDataToAppend<'RecordAccessed'>, 'found'>
  meta: AppendMetadata
}

interface Looked {
  /** The stored archive, undefined when the read model has none. */
  archive: WorkerArchive | undefined
  /** The id of the access event, stored before this resolves. */
  event: string
}

/** Groups of this many lookups or more share their read and their append. */
const sharedFrom = 5

export class ArchiveLookups {
  readonly #reads: ArchiveReads
  readonly #accessLog: AccessLog
  readonly #table: () => string
  readonly #store: ReadThenAppend | undefined
  readonly #groups: CallGroups<Lookup, Looked>

  constructor(
    reads: ArchiveReads,
    accessLog: AccessLog,
    table: () => string,
    /** The event store, when it is in the read model's database. */
    store: ReadThenAppend | undefined,
  ) {
    this.#reads = reads
    this.#accessLog = accessLog
    this.#table = table
    this.#store = store
    this.#groups = new CallGroups((group) => this.#run(group))
  }

  /** Reads the archive and stores the access event of that read; resolves once it is stored. */
  lookUp(lookup: Lookup): Promise<Looked> {
    return this.#store ? this.#groups.call(lookup) : this.#apart(lookup)
  }

  async #run(group: WaitingCall<Lookup, Looked>[]): Promise<void> {
    // Apart, a group costs about four statements in two steps whatever its size: the first read
    // alone and the rest shared (ArchiveReads), the same for the appends (AccessLog). A group of
    // up to four is as many statements at once, each lookup's own, in one step.
    const own = group.length < sharedFrom
    await Promise.all(
      group.map((w) => (own ? this.#together(w.input) : this.#apart(w.input)).then(w.resolve, w.reject)),
    )
  }

  /** One statement: the read, and the access event of its outcome appended and committed. */
  async #together(input: Lookup): Promise<Looked> {
    // One id for both outcomes: only `found` differs between the two events.
    const meta = { ...input.meta, id: input.meta.id ?? uuidv7() }
    const events = (found: boolean) => [accessEvent({ ...input.access, found }, meta)]
    // Checked before the statement, as AccessLog.record does: an unrecordable read is refused (403).
    events(false)
    let row: Record<string, unknown> | undefined
    try {
      ;({ row } = await this.#store!.appendAfterRead(
        {
          sql: `select doc, (doc->>'found')::boolean as found from ${this.#table()} where worker = $1`,
          params: [input.worker],
        },
        `access-${input.worker}`,
        events,
      ))
    } catch (error) {
      // The read was not recorded: it is not answered.
      throw accessLogUnavailable(error)
    }
    return { archive: row?.doc as WorkerArchive | undefined, event: meta.id }
  }

  async #apart({ worker, access, meta }: Lookup): Promise<Looked> {
    const archive = await this.#reads.read(worker)
    const event = await this.#accessLog.record({ ...access, found: archive?.found ?? false }, meta)
    return { archive, event }
  }
}
