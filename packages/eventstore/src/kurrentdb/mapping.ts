// Pure translations between trec's event store vocabulary and the KurrentDB client's
// (@kurrent/kurrentdb-client 1.x): expected revisions, positions, recorded events, errors.
import { createHash } from 'node:crypto'
import {
  type AllStreamResolvedEvent,
  ANY,
  type AppendStreamState,
  CancelledError,
  type CurrentStreamState,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  type ReadPosition,
  type ResolvedEvent,
  START,
  TimeoutError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client'
import { type JsonObject, TrecError } from '@trec/core'
import type { ExpectedRevision, RecordedEvent } from '../types.ts'

/** trec's expected revision as the client's `streamState` (v1 renamed it from `expectedRevision`). */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY
  if (expected === 'no_stream') return NO_STREAM
  return BigInt(expected)
}

/**
 * The stream's revision as a conflict reports it: -1 when it does not exist. KurrentDB reports a
 * deleted stream as -5 and a tombstoned one as -6 (client typings, `ConsistencyViolation`);
 * for trec's contract both are "no stream".
 */
export function toActualRevision(state: CurrentStreamState): number {
  if (state === NO_STREAM || typeof state !== 'bigint' || state < 0n) return -1
  return Number(state)
}

/** The same error, code and details as the SQL adapter's `TR409` translation. */
export function conflictError(stream: string, expected: unknown, actual: number): TrecError {
  return new TrecError('TREC_STREAM_CONFLICT', `stream ${stream} is not at the expected revision`, {
    details: { stream, expected, actual },
  })
}

/**
 * Where a forward read of `$all` must start to return the events strictly after `after`.
 * KurrentDB's forward reads include the event at the start position, so the caller drops
 * positions ≤ `after`. trec positions are commit positions of events appended through gRPC,
 * which are implicit transactions: each event's commit and prepare positions are both its own
 * log position (KurrentDB `AllReader`), so `{ commit: p, prepare: p }` names that event.
 */
export function readAllFrom(after: bigint): ReadPosition {
  return after <= 0n ? START : { commit: after, prepare: after }
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent

/** The event's position in `$all`: its commit position (servers ≥ 22.6 send it on stream reads too). */
export function positionOf(resolved: AnyResolved): bigint | undefined {
  return resolved.event?.position?.commit ?? resolved.commitPosition
}

// trec stream names (validate.ts): `category-id`, category [a-z][a-z0-9_]{0,39}. The feed reads
// only those: `$` system streams (stream metadata `$$…`, projection links `$ce-…`, `$et-…`)
// and the adapter's id index streams (`_trec_eventid-…`) never match.
export const feedStreamRegex = '^[a-z][a-z0-9_]{0,39}-'
const feedStream = new RegExp(feedStreamRegex)

/** Whether an event of `$all` belongs to trec's feed: a trec stream and not a `$` system event. */
export function isFeedEvent(stream: string, type: string): boolean {
  return feedStream.test(stream) && !type.startsWith('$')
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A recorded event as trec's interface shows it. */
export function toRecorded(resolved: AnyResolved): RecordedEvent {
  const e = resolved.event
  if (!e) throw new TrecError('TREC_INTERNAL', 'KurrentDB returned a link without its event')
  const position = positionOf(resolved)
  if (position === undefined)
    throw new TrecError(
      'TREC_INTERNAL',
      'KurrentDB returned an event without its position (server < 22.6?)',
      {
        details: { stream: e.streamId, id: e.id },
      },
    )
  // Only events this adapter wrote are expected in trec streams: JSON objects for data and
  // metadata. Anything else is another writer's, and guessing its meaning would be worse.
  if (!e.isJson || !isPlainObject(e.data))
    throw new TrecError('TREC_INTERNAL', 'an event in a trec stream is not a JSON object', {
      details: { stream: e.streamId, id: e.id, revision: Number(e.revision) },
    })
  const metadata = fromStoredMetadata(e.metadata)
  if (!isPlainObject(metadata))
    throw new TrecError('TREC_INTERNAL', "an event's metadata in a trec stream is not a JSON object", {
      details: { stream: e.streamId, id: e.id, revision: Number(e.revision) },
    })
  return {
    id: e.id,
    stream: e.streamId,
    revision: Number(e.revision),
    position,
    type: e.type,
    data: e.data,
    metadata,
    // KurrentDB keeps 100 ns ticks; the client gives a Date, whose ISO form has milliseconds.
    recordedAt: e.created.toISOString(),
  }
}

// KurrentDB's multi-stream append (protocol v2) takes metadata only as string properties, and
// v1 reads show them as a metadata object with the server's own `$schema.*` keys added (client
// test `multiAppendStream.test.ts`). trec metadata is any JSON object, so there it travels as one
// string property holding its JSON. A single-stream append stores metadata as JSON directly,
// unless it has that property name itself: then it is wrapped too, so a stored metadata with
// that string property and otherwise only `$` keys is always a wrapped one.
export const wrappedMetadataKey = 'trec.metadata'

/** Metadata as sent with a multi-stream append: `{ 'trec.metadata': '<json>' }`. */
export function wrapMetadata(metadata: JsonObject | undefined): Record<string, string> {
  return { [wrappedMetadataKey]: JSON.stringify(metadata ?? {}) }
}

/** Metadata as sent with a single-stream append. */
export function singleAppendMetadata(metadata: JsonObject | undefined): JsonObject {
  if (metadata && Object.hasOwn(metadata, wrappedMetadataKey)) return wrapMetadata(metadata)
  return metadata ?? {}
}

/** The trec metadata of a stored event: absent = `{}`, wrapped = unwrapped. */
export function fromStoredMetadata(stored: unknown): unknown {
  if (stored === undefined) return {}
  if (!isPlainObject(stored)) return stored
  const wrapped = stored[wrappedMetadataKey]
  if (typeof wrapped !== 'string') return stored
  if (!Object.keys(stored).every((k) => k === wrappedMetadataKey || k.startsWith('$'))) return stored
  return JSON.parse(wrapped)
}

/** JSON with object keys sorted at every level: equal JSON values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * What "the same content" means for idempotency, as in the SQL adapter: same type, data and
 * metadata (absent = `{}`) compared as JSON values (jsonb equality ignores key order).
 */
export function contentDigest(type: string, data: JsonObject, metadata: JsonObject | undefined): string {
  return createHash('sha256')
    .update(canonicalJson([type, data, metadata ?? {}]))
    .digest('base64url')
}

// gRPC status codes (as the gRPC project documents them): 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE. The client
// leaves some transport failures of unary calls as plain gRPC errors with these codes.
const unavailableGrpcCodes = new Set([4, 14])
const unavailableText =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE|No connection established|Name resolution failed|failed to connect|connection (?:closed|reset|refused)/i

/** Whether an error means "the server could not be reached or did not answer in time". */
export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    // The server gave up on a write (commit timeout): it may or may not be stored, and a retry
    // with the same event ids is safe either way.
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    // The client rediscovers the leader on the next call.
    error instanceof NotLeaderError
  )
    return true
  if (typeof error !== 'object' || error === null) return false
  const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown }
  if (typeof code === 'number' && unavailableGrpcCodes.has(code)) return true
  return [message, details].some((t) => typeof t === 'string' && unavailableText.test(t))
}

/**
 * The client's errors as trec errors; anything unrecognised passes through unchanged.
 * `appends` maps each stream of the append that failed to its expected revision, to report a
 * conflict the way the SQL adapter does (the client names the stream that did not match).
 */
export function translateError(error: unknown, appends?: ReadonlyMap<string, ExpectedRevision>): unknown {
  if (error instanceof TrecError) return error
  if (appends && error instanceof WrongExpectedVersionError) {
    const only = appends.size === 1 ? [...appends.keys()][0] : undefined
    const stream = appends.has(error.streamName) ? error.streamName : only
    if (stream !== undefined)
      return conflictError(stream, appends.get(stream), toActualRevision(error.actualState))
  }
  if (error instanceof UnsupportedError)
    return new TrecError('TREC_STORE_UNAVAILABLE', `this KurrentDB server cannot do it: ${error.message}`, {
      details: { feature: error.feature, minimumVersion: error.minimumVersion },
      cause: error,
    })
  if (error instanceof MaxAppendSizeExceededError)
    // The server's own limit on one append (`MaxAppendSize`, 1 MiB by default), which can be
    // lower than trec's per-append total; the operator can raise it.
    return new TrecError('TREC_PAYLOAD_TOO_LARGE', `the append is larger than the server allows`, {
      details: { limit: error.maxAppendSize, unit: 'bytes', scope: 'append' },
      cause: error,
    })
  if (isUnavailable(error))
    return new TrecError('TREC_STORE_UNAVAILABLE', 'the event store is unavailable', {
      canRetry: true,
      cause: error,
    })
  return error
}
