import { eventIdSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import { consistencyProof, inclusionProof, rootAt } from '@trec/merkle'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import {
  assertTreeHas,
  b64,
  checkpointView,
  findCheckpoint,
  proofReaders,
  sizeSchema,
  viewOf,
} from './common.ts'

// Proofs (RFC 9162 §2.1.3 inclusion, §2.1.4 consistency) are unsigned: they are checked against
// a signed checkpoint, which commits to the size and root together (README of @trec/merkle).
// Without `size`, the newest checkpoint's size is used, and that checkpoint comes with the answer.

const inclusionAnswer = z.object({
  eventId: z.string(),
  leafIndex: z.int(),
  treeSize: z.int(),
  /** RFC 9162 leaf hash of the event's leaf (SHA-256 of 0x00 and its JCS envelope), base64. */
  leafHash: z.string(),
  proof: z.array(z.string()),
  /** The newest checkpoint of that size, when one was signed. */
  checkpoint: checkpointView.optional(),
})

const consistencyAnswer = z.object({
  from: z.int(),
  to: z.int(),
  /** Root of the tree of `from` leaves, base64 (compare with your checkpoint of that size). */
  fromRoot: z.string(),
  toRoot: z.string(),
  proof: z.array(z.string()),
  checkpoint: checkpointView.optional(),
})

export function proofRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    '/v1/audit/proofs/inclusion',
    {
      config: { auth: { roles: proofReaders } },
      schema: {
        summary: 'Inclusion proof of an event in the tree of a given size',
        tags: ['audit'],
        querystring: z.strictObject({ eventId: eventIdSchema, size: sizeSchema.optional() }),
        response: { 200: inclusionAnswer },
      },
    },
    async (request) => {
      const { eventId } = request.query
      const size = request.query.size ?? (await findCheckpoint(o)).size
      await assertTreeHas(o, 'size', size)
      const leaf = await o.log.leafOfEvent(eventId)
      if (!leaf || leaf.idx >= size)
        throw new TrecError('TREC_NOT_FOUND', `Event ${eventId} is not in the tree of size ${size}.`, {
          details: {
            reason: leaf ? 'logged-later' : 'not-logged',
            eventId,
            size,
            ...(leaf ? { leafIndex: leaf.idx } : {}),
          },
        })
      const nodes = o.log.nodes()
      const [leafHash] = await nodes.getNodes([{ level: 0, index: leaf.idx }])
      const proof = await inclusionProof(nodes, leaf.idx, size)
      const checkpoint = await o.log.checkpoint(size)
      return {
        eventId,
        leafIndex: leaf.idx,
        treeSize: size,
        leafHash: b64(leafHash!),
        proof: proof.map(b64),
        ...(checkpoint ? { checkpoint: viewOf(checkpoint) } : {}),
      }
    },
  )
  app.get(
    '/v1/audit/proofs/consistency',
    {
      config: { auth: { roles: proofReaders } },
      schema: {
        summary: 'Consistency proof between two tree sizes',
        tags: ['audit'],
        querystring: z.strictObject({ from: sizeSchema, to: sizeSchema.optional() }),
        response: { 200: consistencyAnswer },
      },
    },
    async (request) => {
      const { from } = request.query
      const to = request.query.to ?? (await findCheckpoint(o)).size
      if (from > to)
        throw new TrecError('TREC_VALIDATION', 'A tree never shrinks: from must not exceed to.', {
          issues: [{ path: ['from'], code: 'too_big', message: `from ${from} > to ${to}` }],
        })
      await assertTreeHas(o, 'to', to)
      const nodes = o.log.nodes()
      const [proof, fromRoot, toRoot, checkpoint] = await Promise.all([
        consistencyProof(nodes, from, to),
        rootAt(nodes, from),
        rootAt(nodes, to),
        o.log.checkpoint(to),
      ])
      return {
        from,
        to,
        fromRoot: b64(fromRoot),
        toRoot: b64(toRoot),
        proof: proof.map(b64),
        ...(checkpoint ? { checkpoint: viewOf(checkpoint) } : {}),
      }
    },
  )
}
