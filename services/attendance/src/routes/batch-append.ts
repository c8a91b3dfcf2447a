import { check, handleMultiStreamCommand } from '@trec/command'
import { type DomainEventToAppend, type EventForStore, eventIdSchema } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { actorOf, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { verifyBatch } from '../batch-signature.ts'
import { type ClassView, emptyClassView } from '../domain/class-view.ts'
import { type RecordFaceCheckBatch, signerViolations } from '../domain/face-check-batch.ts'
import type { BatchEnvelope } from '../face-check-events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { compactJws, forbidden, source } from './common.ts'

// The append every signed batch shares (face checks, online learning): one atomic multi-stream
// append, one part per worker's `attendance-{worker}` stream. What a batch records does not depend
// on what those streams hold, so no revision is expected of them; streams go in name order, so two
// batches touching the same workers lock them in the same order and cannot deadlock.

export interface BatchAnswer {
  batchId: string
  ids: string[]
  streams: { stream: string; revision: number }[]
}

/**
 * The request (one compact JWS, at most `maxBodyBytes`) and the answer of a signed batch route,
 * named `{name}Request` and `{name}Answer` in the OpenAPI document.
 */
export function signedBatchSchemas(
  name: string,
  maxBodyBytes: number,
  answer: { description: string; example: BatchAnswer },
) {
  return {
    body: z
      .strictObject({
        jws: z
          .string()
          .max(maxBodyBytes)
          .regex(compactJws, 'must be a compact JWS (header.payload.signature)'),
      })
      .meta({ id: `${name}Request` }),
    answer: z
      .object({
        batchId: z.string(),
        ids: z.array(eventIdSchema),
        streams: z.array(z.object({ stream: z.string(), revision: z.int() })),
      })
      .meta({ id: `${name}Answer`, ...answer }),
  }
}

export async function appendBatch<E extends DomainEventToAppend & { data: { worker: string } }>(
  store: EventStore,
  events: readonly E[],
  envelope: BatchEnvelope,
  encode: (decided: readonly E[], envelope: BatchEnvelope) => EventForStore[],
): Promise<BatchAnswer> {
  const { ids, streams } = await handleMultiStreamCommand(
    store,
    () => ({
      events,
      revisions: new Map(events.map((e) => [`attendance-${e.data.worker}`, 'any' as const])),
    }),
    { sortStreams: true, encode: (decided) => encode(decided, envelope) },
  )
  return {
    batchId: envelope.batchId,
    ids,
    streams: [...streams].map(([stream, result]) => ({ stream, revision: result.revision })),
  }
}

/** A signed batch command before its payload is read: the same for face checks and online learning. */
type SignedBatchBase = Omit<RecordFaceCheckBatch, 'kind' | 'batch'>

/** What one kind of signed batch adds to the shared request handling. */
export interface SignedBatchKind<C extends SignedBatchBase & { batch?: B }, B, E> {
  command(base: SignedBatchBase): C
  parse(payload: Uint8Array): B
  decide(command: C, view: ClassView): readonly E[]
  encode(decided: readonly E[], envelope: BatchEnvelope): EventForStore[]
}

/**
 * A signed batch as a device sends it (face checks, online learning): the token must name its
 * device and class; the JWS is verified once; a refused signer is refused as such (422) before its
 * payload's shape (400); the class is read only for a batch that names the signer's own class (any
 * other is refused unread); the decider refuses anything without a verified batch and a registered,
 * opened class; then one atomic append.
 */
export async function recordSignedBatch<
  B extends { device: string; class: string; batchId: string },
  C extends SignedBatchBase & { batch?: B },
  E extends DomainEventToAppend & { data: { worker: string } },
>(
  request: Parameters<typeof principal>[0] & { body: { jws: string } },
  options: ResolvedOptions,
  views: Views,
  kind: SignedBatchKind<C, B, E>,
): Promise<BatchAnswer> {
  const p = principal(request)
  if (p.device === undefined || p.classId === undefined)
    throw forbidden('a device token must name its device and class')
  const { signed, payload } = await verifyBatch(request.body.jws, views)
  const command = kind.command({
    caller: { device: p.device, class: p.classId },
    ...signed,
    now: options.clock().getTime(),
    tolerance: options.tolerance,
    maxSkewMs: options.maxSkewMs,
  })
  if (payload !== undefined) {
    try {
      command.batch = kind.parse(payload)
    } catch (invalid) {
      check(...signerViolations(command))
      throw invalid
    }
  }
  const batch = command.batch
  const sameClass = batch !== undefined && batch.class === signed.signer.registration?.class
  const classView = sameClass ? (await views.classes.get(batch.class)).view : emptyClassView()
  const events = kind.decide(command, classView)
  const { device, batchId } = batch!
  const envelope = {
    device,
    batchId,
    actor: actorOf(p, signed.signer.registration!.institution),
    region: classView.region!,
    source,
  }
  return appendBatch(options.store, events, envelope, kind.encode)
}
