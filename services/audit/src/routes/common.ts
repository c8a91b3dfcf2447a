import { TrecError } from '@trec/core'
import type { Role } from '@trec/fastify-kit'
import { parseCheckpoint } from '@trec/merkle'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import type { StoredCheckpoint } from '../sql/audit-db.ts'

// What the audit routes share: who may call them, the checkpoint view, and finding a checkpoint.

/** Proofs and checkpoints: the auditor, and the investigator tracing a claim (brief). */
export const proofReaders: readonly Role[] = ['auditor', 'investigator']
/** Exports of records with proofs: the auditor only. */
export const exporters: readonly Role[] = ['auditor']

export const sizeSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

/** A signed checkpoint as the API answers it (the example is shortened). */
export const checkpointExample = {
  origin: 'audit.hebei.example.gov.cn/trec-events',
  size: 1024,
  rootHash: 'n2Vt4Qm1z8d0cS0Ff2b8Hn5q9rK3mJt7Yw1xV6uP0aE=',
  timestamp: '2026-03-02T08:00:00.000Z',
  note: 'audit.hebei.example.gov.cn/trec-events\n1024\nn2Vt4Qm1z8d0cS0Ff2b8Hn5q9rK3mJt7Yw1xV6uP0aE=\ntimestamp 1772438400000\n\n— audit.hebei.example.gov.cn/trec-events AbCd…\n',
  jws: 'eyJhbGciOiJFZERTQSJ9…',
}

export const checkpointView = z
  .object({
    origin: z.string().describe('The log’s origin line: which log this is.'),
    size: z.int().describe('How many events the tree holds.'),
    rootHash: z.string().describe('RFC 9162 root hash of the tree of `size` leaves, base64.'),
    timestamp: z.string().describe('When the log signed it (the checkpoint’s timestamp line).'),
    note: z.string().describe('The C2SP signed note: the checkpoint text and its signature lines.'),
    jws: z.string().describe('A compact JWS over the same checkpoint text, by the newest key.'),
  })
  .meta({
    id: 'Checkpoint',
    description:
      'A checkpoint the log signed: its size and root hash, as a C2SP signed note and as a compact JWS. Proofs are checked against it.',
    example: checkpointExample,
  })

export function viewOf(checkpoint: StoredCheckpoint): z.infer<typeof checkpointView> {
  const body = parseCheckpoint(checkpoint.note.slice(0, checkpoint.note.lastIndexOf('\n\n') + 1))
  return {
    origin: body.origin,
    size: checkpoint.size,
    rootHash: Buffer.from(checkpoint.root).toString('base64'),
    timestamp: new Date(checkpoint.timestamp).toISOString(),
    note: checkpoint.note,
    jws: checkpoint.jws,
  }
}

/**
 * The newest checkpoint (that `witnessCosignatures` witnesses cosigned), or the newest of
 * `size`; 404 when there is none.
 */
export async function findCheckpoint(o: ResolvedAuditOptions, size?: number): Promise<StoredCheckpoint> {
  const cosigned = size === undefined ? o.witnessCosignatures : 0
  const checkpoint = await o.log.checkpoint(size, cosigned)
  if (!checkpoint)
    throw new TrecError(
      'TREC_NOT_FOUND',
      size !== undefined
        ? `No checkpoint of size ${size} was signed.`
        : cosigned > 0
          ? `No checkpoint has ${cosigned} witness cosignatures yet.`
          : 'The log has signed no checkpoint yet.',
      { details: { reason: 'no-checkpoint', ...(size === undefined ? {} : { size }) } },
    )
  return checkpoint
}

/** Refuses a tree size the log has not reached. */
export async function assertTreeHas(o: ResolvedAuditOptions, path: string, size: number): Promise<void> {
  const { size: current } = await o.log.state()
  if (size > current)
    throw new TrecError('TREC_VALIDATION', 'The log is not that large yet.', {
      issues: [{ path: [path], code: 'too_big', message: `the tree has ${current} leaves` }],
      details: { treeSize: current },
    })
}

export const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
