import { eventIdSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import { consistencyProof, inclusionProof, rootAt } from '@trec/merkle'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import {
  assertTreeHas,
  b64,
  checkpointExample,
  checkpointView,
  findCheckpoint,
  proofReaders,
  sizeSchema,
  viewOf,
} from './common.ts'

// Proofs (RFC 9162 §2.1.3 inclusion, §2.1.4 consistency) are unsigned: they are checked against
// a signed checkpoint, which commits to the size and root together (README of @trec/merkle).
// Without `size`, the newest checkpoint's size is used, and that checkpoint comes with the answer.

const inclusionAnswer = z
  .object({
    eventId: z.string(),
    leafIndex: z.int().describe('Where the event’s leaf is in the tree (0 the first).'),
    treeSize: z.int().describe('The size of the tree the proof is for.'),
    leafHash: z
      .string()
      .describe('RFC 9162 leaf hash of the event’s leaf (the hash of 0x00 and its JCS envelope), base64.'),
    proof: z.array(z.string()).describe('The audit path, base64 hashes from the leaf up.'),
    checkpoint: checkpointView
      .optional()
      .describe('The newest checkpoint of that size, when one was signed.'),
  })
  .meta({
    id: 'InclusionProof',
    description: 'An RFC 9162 inclusion proof of one event in the tree of a given size.',
    example: {
      eventId: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
      leafIndex: 17,
      treeSize: 1024,
      leafHash: 'q5mT0Vd3f1k2YxZ8Hn5q9rK3mJt7Yw1xV6uP0aE9sLc=',
      proof: ['Zp2cR1Vx9T0k3mJt7Yw1xV6uP0aE9sLcq5mT0Vd3f1k=', 'H8n5q9rK3mJt7Yw1xV6uP0aE9sLcq5mT0Vd3f1kZp2c='],
      checkpoint: checkpointExample,
    },
  })

const consistencyAnswer = z
  .object({
    from: z.int(),
    to: z.int(),
    fromRoot: z
      .string()
      .describe('Root of the tree of `from` leaves, base64 (compare with your checkpoint of that size).'),
    toRoot: z.string().describe('Root of the tree of `to` leaves, base64.'),
    proof: z.array(z.string()).describe('The consistency proof, base64 hashes.'),
    checkpoint: checkpointView
      .optional()
      .describe('The newest checkpoint of size `to`, when one was signed.'),
  })
  .meta({
    id: 'ConsistencyProof',
    description:
      'An RFC 9162 consistency proof that the tree of `to` leaves extends the tree of `from` leaves unchanged.',
    example: {
      from: 512,
      to: 1024,
      fromRoot: 'H8n5q9rK3mJt7Yw1xV6uP0aE9sLcq5mT0Vd3f1kZp2c=',
      toRoot: 'n2Vt4Qm1z8d0cS0Ff2b8Hn5q9rK3mJt7Yw1xV6uP0aE=',
      proof: ['Zp2cR1Vx9T0k3mJt7Yw1xV6uP0aE9sLcq5mT0Vd3f1k='],
      checkpoint: checkpointExample,
    },
  })

export function proofRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    '/v1/audit/proofs/inclusion',
    {
      config: { auth: { roles: proofReaders }, refusals: ['404'] },
      schema: {
        summary: 'Inclusion proof of an event in the tree of a given size',
        operationId: 'proveInclusion',
        description:
          'An auditor or an investigator asks for the proof that event `eventId` is in the tree of `size` events ' +
          '(default: the newest checkpoint’s size), with that checkpoint when one was signed. 404 when the event is ' +
          'not logged or was logged after that size; 400 when the tree is not that large yet.',
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
      config: { auth: { roles: proofReaders }, refusals: ['404'] },
      schema: {
        summary: 'Consistency proof between two tree sizes',
        operationId: 'proveConsistency',
        description:
          'An auditor or an investigator asks for the proof that the tree of `to` events (default: the newest ' +
          'checkpoint’s size) extends the tree of `from` events without changing it, with both roots and the ' +
          'checkpoint of size `to` when one was signed. 400 when `from` exceeds `to` or the tree is not that large; ' +
          '404 without `to` while the log has signed no checkpoint.',
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
