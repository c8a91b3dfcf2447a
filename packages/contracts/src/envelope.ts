import { type Issue, type JsonObject, TrecError, uuidPattern, uuidv7 } from '@trec/core'
import { z } from 'zod'
import type { EventDefinition, Upcaster } from './definition.ts'
import { toIssues } from './issues.ts'
import { entityIdSchema, eventIdSchema, instantSchema, regionCodeSchema } from './primitives.ts'
import { type DomainEventToAppend, type EventData, type EventType, eventDefinitions } from './registry.ts'

// The envelope: what the store keeps beside an event's data (docs/architecture.md, "Streams": id, stream,
// sequence, occurred-at, recorded-at, actor, source system, region, causation and correlation).
// The store assigns stream, revision, position and recordedAt; everything else travels in the
// event's `metadata`, whose shape is defined here.

/** Who caused an event. Staff, devices and bodies are named by their own ids, never by a person's name. */
export const actorKinds = [
  'institution_staff',
  'device',
  'assessor',
  'subsidy_officer',
  'finance',
  'reviewer',
  'admin',
  'system',
  'worker',
  'card_service',
  'investigator',
  'auditor',
] as const

export const actorSchema = z.strictObject({
  kind: z.enum(actorKinds),
  /** A staff, device or service id; for `worker`, the worker's pseudonym. */
  id: entityIdSchema,
  /** The institution the actor acts for, when there is one. */
  institution: entityIdSchema.optional(),
})
export type Actor = z.output<typeof actorSchema>

/** The system that produced the event (e.g. `hebei-training`, `device-gateway`). */
export const sourceSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{0,63}$/, 'must be a lowercase system name of [a-z0-9._-]')

export const envelopeMetadataSchema = z.strictObject({
  /** The version of the event type's schema the data was written at. */
  schemaVersion: z.int().min(1),
  /** When it happened in the world (valid time); the store adds when it was recorded. */
  occurredAt: instantSchema,
  actor: actorSchema,
  source: sourceSchema,
  region: regionCodeSchema,
  /** The event (or command id) that caused this one. */
  causationId: eventIdSchema.optional(),
  /** Shared by every event of one business flow, e.g. one claim from submission to payment. */
  correlationId: eventIdSchema.optional(),
})
export type EnvelopeMetadata = z.output<typeof envelopeMetadataSchema>

// Metadata is additive-only across releases (new fields are optional), so a reader ignores
// fields it does not know instead of refusing history written by a newer writer. Writes are
// strict, so nothing unknown gets in through this package.
const readMetadataSchema = z.object(envelopeMetadataSchema.shape)

/** What a writer supplies besides the event: the store's id for it (a fresh UUIDv7 if absent) and the metadata. */
export type AppendMetadata = Omit<EnvelopeMetadata, 'schemaVersion'> & { id?: string }

/** The shape the event store's `append` takes (structurally its `EventToAppend`). */
export interface EventForStore {
  id: string
  type: string
  data: JsonObject
  metadata: JsonObject
}

/** The shape the event store returns (structurally its `RecordedEvent`). */
export interface StoredEvent {
  id: string
  stream: string
  revision: number
  position: bigint
  type: string
  data: unknown
  metadata: Readonly<Record<string, unknown>>
  recordedAt: string
}

export interface EnvelopeFields {
  /** UUIDv7 unless the writer chose another UUID. */
  id: string
  stream: string
  revision: number
  position: bigint
  /** The version of `data` as returned: always the type's current version. */
  schemaVersion: number
  /** The version the data was stored at; lower than `schemaVersion` when it was upcast on read. */
  storedSchemaVersion: number
  occurredAt: string
  recordedAt: string
  actor: Actor
  source: string
  region: string
  causationId?: string
  correlationId?: string
}

/** A decoded event of type `T` (any type by default), discriminated by `type`. */
export type Envelope<T extends EventType = EventType> = T extends EventType
  ? EnvelopeFields & { type: T; data: EventData<T> }
  : never

export type UntypedEnvelope = EnvelopeFields & { type: string; data: Record<string, unknown> }

export interface Codec {
  toEventToAppend(event: { type: string; data: unknown }, meta: AppendMetadata): EventForStore
  decodeRecorded(recorded: StoredEvent): UntypedEnvelope
}

/** zod leaves keys whose value is undefined in place; JSON (and so the store) has no such value. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v)
  return out
}

/** A codec over any list of definitions; the package's own functions use the full catalogue. */
export function createCodec(definitions: readonly EventDefinition[]): Codec {
  const byType = new Map<string, { definition: EventDefinition; steps: Map<number, Upcaster> }>()
  for (const definition of definitions)
    byType.set(definition.type, { definition, steps: new Map(definition.upcasters.map((u) => [u.from, u])) })

  function lookup(type: unknown, details: Record<string, unknown> = {}) {
    const entry = typeof type === 'string' ? byType.get(type) : undefined
    if (!entry)
      throw new TrecError('TREC_UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(type)}`, {
        details: { ...details, type },
      })
    return entry
  }

  function toEventToAppend(event: { type: string; data: unknown }, meta: AppendMetadata): EventForStore {
    const { definition } = lookup(event?.type)
    const { id = uuidv7(), ...rest } = meta
    const issues: Issue[] = []
    if (typeof id !== 'string' || !uuidPattern.test(id))
      issues.push({ path: ['id'], code: 'invalid_format', message: 'must be a lowercase UUID' })
    const data = definition.appendSchema.safeParse(event.data)
    if (!data.success) issues.push(...toIssues(data.error.issues, ['data']))
    const metadata = envelopeMetadataSchema.safeParse({ ...rest, schemaVersion: definition.version })
    if (!metadata.success) issues.push(...toIssues(metadata.error.issues, ['metadata']))
    if (issues.length > 0 || !data.success || !metadata.success)
      throw new TrecError('TREC_VALIDATION', `invalid ${definition.type} event`, {
        issues,
        details: { type: definition.type },
      })
    return {
      id,
      type: definition.type,
      data: withoutUndefined(data.data) as JsonObject,
      metadata: withoutUndefined(metadata.data) as JsonObject,
    }
  }

  function decodeRecorded(recorded: StoredEvent): UntypedEnvelope {
    const at = { id: recorded.id, stream: recorded.stream, revision: recorded.revision }
    const { definition, steps } = lookup(recorded.type, at)
    const stored = recorded.metadata.schemaVersion
    const invalid = (issues: Issue[], schemaVersion: unknown) =>
      new TrecError('TREC_INVALID_EVENT', `stored ${definition.type} event does not match its contract`, {
        issues,
        details: { ...at, type: definition.type, schemaVersion },
      })
    if (typeof stored !== 'number' || !Number.isSafeInteger(stored) || stored < 1)
      throw invalid(
        [{ path: ['metadata', 'schemaVersion'], code: 'invalid_type', message: 'must be an integer ≥ 1' }],
        stored,
      )
    if (stored > definition.version)
      throw new TrecError(
        'TREC_UNSUPPORTED_SCHEMA_VERSION',
        `${definition.type} version ${stored} is newer than this code knows (${definition.version})`,
        {
          details: {
            ...at,
            type: definition.type,
            schemaVersion: stored,
            currentVersion: definition.version,
          },
        },
      )
    let data: unknown = recorded.data
    for (let version = stored; version < definition.version; version++) {
      const step = steps.get(version)
      if (!step)
        throw new TrecError(
          'TREC_UNSUPPORTED_SCHEMA_VERSION',
          `${definition.type} has no upcaster from version ${version}`,
          {
            details: {
              ...at,
              type: definition.type,
              schemaVersion: stored,
              currentVersion: definition.version,
              missingFrom: version,
            },
          },
        )
      const old = step.schema.safeParse(data)
      if (!old.success) throw invalid(toIssues(old.error.issues, ['data']), version)
      data = step.upcast(old.data)
    }
    const current = definition.schema.safeParse(data)
    const metadata = readMetadataSchema.safeParse(recorded.metadata)
    if (!current.success || !metadata.success)
      throw invalid(
        [
          ...(current.success ? [] : toIssues(current.error.issues, ['data'])),
          ...(metadata.success ? [] : toIssues(metadata.error.issues, ['metadata'])),
        ],
        stored,
      )
    const m = metadata.data
    return {
      id: recorded.id,
      stream: recorded.stream,
      revision: recorded.revision,
      position: recorded.position,
      type: definition.type,
      schemaVersion: definition.version,
      storedSchemaVersion: stored,
      occurredAt: m.occurredAt,
      recordedAt: recorded.recordedAt,
      actor: m.actor,
      source: m.source,
      region: m.region,
      ...(m.causationId === undefined ? {} : { causationId: m.causationId }),
      ...(m.correlationId === undefined ? {} : { correlationId: m.correlationId }),
      data: current.data as Record<string, unknown>,
    }
  }

  return { toEventToAppend, decodeRecorded }
}

const catalogueCodec = createCodec(Object.values(eventDefinitions) as EventDefinition[])

/**
 * Builds what the event store appends from a domain event and its metadata: the data checked
 * against the current schema of its type (what may be appended now), the metadata checked and
 * stamped with that version. Throws `TREC_UNKNOWN_EVENT_TYPE`, or `TREC_VALIDATION` with every
 * failing path under `data`, `metadata` or `id`.
 */
export function toEventToAppend(event: DomainEventToAppend, meta: AppendMetadata): EventForStore {
  return catalogueCodec.toEventToAppend(event, meta)
}

/**
 * Reads a stored event back as a typed envelope: its data upcast step by step from the stored
 * schema version to the current one, each step checked. Throws `TREC_UNKNOWN_EVENT_TYPE`,
 * `TREC_UNSUPPORTED_SCHEMA_VERSION` (newer than known, or a step missing) or `TREC_INVALID_EVENT`
 * (the stored data or metadata does not match its contract).
 */
export function decodeRecorded(recorded: StoredEvent): Envelope {
  return catalogueCodec.decodeRecorded(recorded) as Envelope
}

const decoded = new WeakMap<StoredEvent, Envelope>()

// Walks keys with for-in rather than Object.values: that allocated an array for every object
// and array of every envelope, a few per event on the read side's hot path (decoded data is
// JSON, plain objects and arrays with no inherited enumerable keys).
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return
  Object.freeze(value)
  const record = value as Record<string, unknown>
  for (const k in record) deepFreeze(record[k])
}

/**
 * `decodeRecorded` once per stored event object: the read side hands one batch of stored events
 * to many projections (a detector per fraud rule, the registry, …), and each used to check and
 * upcast every event again. The envelope is shared, so it is frozen: a projection that changed
 * it would change it for the others, and throws instead.
 */
export function decodeRecordedOnce(recorded: StoredEvent): Envelope {
  let envelope = decoded.get(recorded)
  if (envelope === undefined) {
    envelope = decodeRecorded(recorded)
    deepFreeze(envelope)
    decoded.set(recorded, envelope)
  }
  return envelope
}
