import {
  type Checkpoint,
  type CheckpointTrust,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '@trec/merkle'
import { z } from 'zod'
import { fail } from './failure.ts'
import { verifySignedCheckpoint } from './header.ts'

// The log's other answers, checked offline as an export is: a checkpoint (`GET
// /v1/audit/checkpoints/…`, or its signed note alone), an inclusion proof and a consistency proof
// (`GET /v1/audit/proofs/…`). A proof is unsigned; it holds only against a signed checkpoint of
// its tree size, the one that comes with the answer or one the auditor brings. Failures are not
// tied to a line of a file (line 0).

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/)
const signedSchema = z.object({ note: z.string(), jws: z.string().optional() })
const proofSchema = z.array(base64Hash).max(128)

const inclusionSchema = z.object({
  eventId: z.string().optional(),
  leafIndex: z.int().min(0),
  treeSize: z.int().min(1),
  leafHash: base64Hash,
  proof: proofSchema,
  checkpoint: signedSchema.optional(),
})

const consistencySchema = z.object({
  from: z.int().min(1),
  to: z.int().min(1),
  fromRoot: base64Hash,
  toRoot: base64Hash,
  proof: proofSchema,
  checkpoint: signedSchema.optional(),
})

export type SignedCheckpoint = z.output<typeof signedSchema>

/** What an answer's check reports: the checkpoint it was checked against. */
export interface CheckpointReport {
  origin: string
  size: number
  rootHash: string
  timestamp: string
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const hashBytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))

function reportOf(checkpoint: Checkpoint): CheckpointReport {
  return {
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: b64(checkpoint.root),
    timestamp: new Date(checkpoint.timestamp).toISOString(),
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  return fail(0, 'proof-malformed', `${what}: ${issue.path.join('.') || 'answer'}: ${issue.message}`)
}

/** A checkpoint file: the API's JSON answer (or any `{note, jws?}`), or the signed note as text. */
export function readCheckpoint(text: string): SignedCheckpoint {
  if (!text.trimStart().startsWith('{')) return { note: text }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    fail(0, 'proof-malformed', 'the checkpoint file is neither JSON nor a signed note')
  }
  return parsed(signedSchema, json, 'checkpoint')
}

/** Seen checkpoints of the same size must have the same root: otherwise the log forked. */
function checkAgainstSeen(checkpoint: Checkpoint, seen: readonly Checkpoint[]): void {
  for (const earlier of seen)
    if (earlier.size === checkpoint.size && b64(earlier.root) !== b64(checkpoint.root))
      fail(
        0,
        'consistency-failed',
        `two different roots were signed for size ${checkpoint.size}: ${b64(earlier.root)} (seen before) and ${b64(checkpoint.root)}`,
      )
}

/** A signed checkpoint, and no fork against those seen before. */
export async function verifyCheckpointAnswer(
  signed: SignedCheckpoint,
  trust: CheckpointTrust,
  seen: readonly Checkpoint[] = [],
): Promise<{ kind: 'checkpoint'; checkpoint: CheckpointReport }> {
  const checkpoint = await verifySignedCheckpoint(signed, trust, 0)
  checkAgainstSeen(checkpoint, seen)
  return { kind: 'checkpoint', checkpoint: reportOf(checkpoint) }
}

async function signedOfSize(
  size: number,
  given: SignedCheckpoint | undefined,
  trust: CheckpointTrust,
  seen: readonly Checkpoint[],
): Promise<Checkpoint> {
  if (given === undefined)
    fail(0, 'proof-malformed', `no checkpoint of size ${size} comes with the answer: pass one (--checkpoint)`)
  const checkpoint = await verifySignedCheckpoint(given, trust, 0)
  if (checkpoint.size !== size)
    fail(
      0,
      'checkpoint-mismatch',
      `the proof is for size ${size}, the checkpoint is of size ${checkpoint.size}`,
    )
  checkAgainstSeen(checkpoint, seen)
  return checkpoint
}

/**
 * An inclusion proof answer against a signed checkpoint of its size; with `leaf` (the event's
 * leaf bytes, its JCS envelope), also that those bytes are the leaf the proof is for.
 */
export async function verifyInclusionAnswer(
  answer: unknown,
  trust: CheckpointTrust,
  options: { checkpoint?: SignedCheckpoint; leaf?: Uint8Array; seen?: readonly Checkpoint[] } = {},
) {
  const a = parsed(inclusionSchema, answer, 'inclusion proof')
  const checkpoint = await signedOfSize(
    a.treeSize,
    options.checkpoint ?? a.checkpoint,
    trust,
    options.seen ?? [],
  )
  if (options.leaf !== undefined && b64(leafHash(options.leaf)) !== a.leafHash)
    fail(0, 'inclusion-failed', "the event's bytes do not hash to the proof's leaf hash", a.eventId)
  const result = verifyInclusion(
    hashBytes(a.leafHash),
    a.leafIndex,
    a.treeSize,
    a.proof.map(hashBytes),
    checkpoint.root,
  )
  if (!result.ok) fail(0, 'inclusion-failed', `${result.reason}: ${result.message}`, a.eventId)
  return {
    kind: 'inclusion' as const,
    ...(a.eventId === undefined ? {} : { eventId: a.eventId }),
    leafIndex: a.leafIndex,
    leafHash: a.leafHash,
    leafChecked: options.leaf !== undefined,
    checkpoint: reportOf(checkpoint),
  }
}

/**
 * A consistency proof answer: the tree of `to` leaves (a signed checkpoint) extends the tree of
 * `from` leaves. The `from` root is the server's word unless a checkpoint seen before vouches
 * for it: the report says which (`fromRootSeen`), and a seen checkpoint of either size with
 * another root fails.
 */
export async function verifyConsistencyAnswer(
  answer: unknown,
  trust: CheckpointTrust,
  options: { checkpoint?: SignedCheckpoint; seen?: readonly Checkpoint[] } = {},
) {
  const a = parsed(consistencySchema, answer, 'consistency proof')
  const seen = options.seen ?? []
  const to = await signedOfSize(a.to, options.checkpoint ?? a.checkpoint, trust, seen)
  if (b64(to.root) !== a.toRoot)
    fail(0, 'checkpoint-mismatch', `the answer's root for size ${a.to} is not the signed one`)
  for (const earlier of seen)
    if (earlier.size === a.from && b64(earlier.root) !== a.fromRoot)
      fail(
        0,
        'consistency-failed',
        `the proof starts from root ${a.fromRoot} for size ${a.from}; the checkpoint seen before has ${b64(earlier.root)}`,
      )
  const result = verifyConsistency(a.from, a.to, a.proof.map(hashBytes), hashBytes(a.fromRoot), to.root)
  if (!result.ok)
    fail(0, 'consistency-failed', `sizes ${a.from} → ${a.to}: ${result.reason}: ${result.message}`)
  return {
    kind: 'consistency' as const,
    from: a.from,
    fromRoot: a.fromRoot,
    fromRootSeen: seen.some((c) => c.size === a.from),
    checkpoint: reportOf(to),
  }
}
