import type { EventData, EventType } from '@trec/contracts'

/**
 * What a fold reads of an event: the fields of a decoded `Envelope` (from `decodeRecorded`) that
 * the read side needs. A read model may keep `data` slimmed: it drops sealed personal fields
 * (names, ID numbers, accounts), which no fold reads, and keeps every other field as decoded.
 */
export interface FoldEvent {
  id: string
  type: string
  /** Global position in the store's feed: the canonical order of the record. */
  position: bigint
  /** When the store recorded it (transaction time), ISO 8601 UTC. */
  recordedAt: string
  /** When it happened in the world (valid time), ISO 8601 with offset. */
  occurredAt: string
  /** The envelope's region (GB/T 2260), where the read model kept it. */
  region?: string
  data: unknown
}

/** A fold event of one type, its data typed at the type's current version. */
export type Fact<T extends EventType> = FoldEvent & { type: T; data: EventData<T> }

export function is<T extends EventType>(event: FoldEvent, type: T): event is Fact<T> {
  return event.type === type
}

export function byPosition(a: FoldEvent, b: FoldEvent): number {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0
}

/** The events in the record's canonical order (global position), each id once. */
export function canonical<E extends FoldEvent>(events: readonly E[]): E[] {
  const seen = new Set<string>()
  const out: E[] = []
  for (const e of [...events].sort(byPosition)) {
    if (seen.has(e.id)) continue
    seen.add(e.id)
    out.push(e)
  }
  return out
}

/** The worker an event is about, for the worker-keyed types (all carry `data.worker`). */
export function workerOf(event: FoldEvent): string | undefined {
  const w = (event.data as { worker?: unknown } | null)?.worker
  return typeof w === 'string' ? w : undefined
}

/** The last event of a type matching `where`, in record order (events must be canonical). */
export function lastOf<T extends EventType>(
  events: readonly FoldEvent[],
  type: T,
  where: (data: EventData<T>) => boolean = () => true,
): Fact<T> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!
    if (is(e, type) && where(e.data)) return e
  }
  return undefined
}

export function allOf<T extends EventType>(
  events: readonly FoldEvent[],
  type: T,
  where: (data: EventData<T>) => boolean = () => true,
): Fact<T>[] {
  return events.filter((e): e is Fact<T> => is(e, type) && where(e.data))
}

/** Sealed personal fields a read model never keeps (see FoldEvent). */
const sealedFields: Partial<Record<string, readonly string[]>> = {
  WorkerEnrolled: ['name', 'idNumber', 'phone'],
  SubsidyPaid: ['account'],
}

/** The event's data without its sealed personal fields, for storing in a read model. */
export function slimData(type: string, data: unknown): Record<string, unknown> {
  const drop = sealedFields[type]
  // Most types have none: their data as it is (a read model only reads and writes it out).
  if (drop === undefined) return data as Record<string, unknown>
  const out = { ...(data as Record<string, unknown>) }
  for (const field of drop) delete out[field]
  return out
}

/** A fold event as a read model keeps it in a table row (positions as text, snake_case times). */
export interface StoredFoldRow {
  worker?: string
  kind?: string
  key?: string
  position: string
  id: string
  type: string
  recorded_at: string
  occurred_at: string
  region: string
  data: unknown
}

/** The fold event a stored row holds. */
export function foldEventOfRow(r: StoredFoldRow): FoldEvent {
  return {
    id: r.id,
    type: r.type,
    position: BigInt(r.position),
    recordedAt: r.recorded_at,
    occurredAt: r.occurred_at,
    region: r.region,
    data: r.data,
  }
}
