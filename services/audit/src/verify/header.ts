import { exportSelectionSchema } from '@trec/contracts'
import { cryptoProfile, useCryptoProfile } from '@trec/core'
import {
  type Checkpoint,
  type CheckpointTrust,
  type CheckpointVerification,
  checkpointCryptoProfile,
  verifyCheckpointJws,
  verifyCheckpointNote,
  verifyConsistency,
  verifyCosignatures,
} from '@trec/merkle'
import { z } from 'zod'
import type { Selection } from '../selection.ts'
import { type FailureReason, fail } from './failure.ts'

// Line 1 of an export: which checkpoint every proof is against (its signed note and its JWS, the
// same bytes signed twice), what was selected, how many events follow and which leaves (by
// digest), consistency proofs from other tree sizes, and the access event that recorded the
// export. The header is not itself signed: everything in it that matters is checked, the
// checkpoint by its signatures, the count and digest against the lines, the selection against
// every event.

export const EXPORT_FORMAT = 'trec-audit-export/1'

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/)

export const exportHeaderSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  checkpoint: z.strictObject({ size: z.int().min(1), note: z.string(), jws: z.string() }),
  selection: exportSelectionSchema,
  events: z.int().min(0),
  /** SHA-256 (SM3 under the gm profile), hex, over the leaf indexes in order, each as 8 bytes big-endian. */
  leafIndexDigest: z.string().regex(/^[0-9a-f]{64}$/),
  consistency: z.array(
    z.strictObject({ from: z.int().min(1), to: z.int().min(1), proof: z.array(base64Hash).max(128) }),
  ),
  access: z.strictObject({ eventId: z.string(), stream: z.string() }),
  exportedAt: z.string(),
})

export type ExportHeader = z.output<typeof exportHeaderSchema>

export interface VerifiedHeader {
  header: ExportHeader
  checkpoint: Checkpoint
  selection: Selection
}

function checkpointFailure(
  result: CheckpointVerification & { ok: false },
  form: string,
  line: number,
): never {
  return fail(line, `checkpoint-${result.reason}` as FailureReason, `${form}: ${result.message}`)
}

/** Parses and checks line 1; throws VerificationFailed naming what is wrong. */
export async function verifyHeader(line: string, trust: CheckpointTrust): Promise<VerifiedHeader> {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    fail(1, 'header-malformed', 'line 1 is not JSON')
  }
  const parsed = exportHeaderSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    fail(1, 'header-malformed', `${issue.path.join('.') || 'header'}: ${issue.message}`)
  }
  const header = parsed.data
  const checkpoint = await verifySignedCheckpoint(header.checkpoint, trust)
  if (checkpoint.size !== header.checkpoint.size)
    fail(
      1,
      'checkpoint-mismatch',
      `the header says size ${header.checkpoint.size}, the checkpoint ${checkpoint.size}`,
    )
  return { header, checkpoint, selection: header.selection }
}

/**
 * A checkpoint as the log hands it out (in an export's header, beside a proof, from
 * `/v1/audit/checkpoints/…`): its signed note, and its JWS when there is one, which must sign the
 * same body. Throws VerificationFailed (at `line`: 1 for an export's header) naming what is wrong.
 */
export async function verifySignedCheckpoint(
  signed: { note: string; jws?: string | undefined },
  trust: CheckpointTrust,
  line = 1,
): Promise<Checkpoint> {
  // The tree's hash is the one the checkpoint names (`crypto-profile gm`, else international): the
  // line is signed with the rest, and the signature must come from a key of that profile.
  const profile = checkpointCryptoProfile(signed.note)
  if (profile === undefined)
    fail(line, 'checkpoint-malformed', 'signed note: it names an unknown crypto profile')
  useCryptoProfile(profile)
  const note = verifyCheckpointNote(signed.note, trust)
  if (!note.ok) checkpointFailure(note, 'signed note', line)
  const scheme = cryptoProfile().signature
  if (note.signedBy.some((key) => key.scheme !== scheme))
    fail(
      line,
      'checkpoint-malformed',
      `signed note: the ${profile} crypto profile is signed with ${scheme.name} keys`,
    )
  if (trust.witnesses) {
    const { keys, required } = trust.witnesses
    const cosigned = verifyCosignatures(signed.note, keys)
    if (!cosigned.ok) fail(line, 'checkpoint-bad-cosignature', cosigned.message)
    if (cosigned.cosignedBy.length < required)
      fail(
        line,
        'checkpoint-too-few-cosignatures',
        `${cosigned.cosignedBy.length} of the pinned witnesses cosigned the checkpoint${cosigned.cosignedBy.length > 0 ? ` (${cosigned.cosignedBy.map((c) => c.name).join(', ')})` : ''}; ${required} required`,
      )
  }
  if (signed.jws !== undefined) {
    const jws = await verifyCheckpointJws(signed.jws, trust)
    if (!jws.ok) checkpointFailure(jws, 'JWS', line)
    if (jws.body !== note.body)
      fail(line, 'checkpoint-mismatch', 'the JWS and the signed note sign different checkpoints')
  }
  return note.checkpoint
}

/**
 * Checks the export's checkpoint against checkpoints the auditor saw before: same size, same
 * root; otherwise the export must carry a consistency proof between the two sizes that holds
 * (RFC 9162 §2.1.4.2). This is what catches a log that was rewritten, or shown differently to
 * different auditors, since the earlier checkpoint.
 */
export function checkConsistency(verified: VerifiedHeader, seen: readonly Checkpoint[]): void {
  const current = verified.checkpoint
  for (const earlier of seen) {
    const b64 = (root: Uint8Array) => Buffer.from(root).toString('base64')
    if (earlier.size === current.size) {
      if (!Buffer.from(earlier.root).equals(Buffer.from(current.root)))
        fail(
          1,
          'consistency-failed',
          `two different roots were signed for size ${current.size}: ${b64(earlier.root)} and ${b64(current.root)}`,
        )
      continue
    }
    const [small, large] = earlier.size < current.size ? [earlier, current] : [current, earlier]
    const entry = verified.header.consistency.find((c) => c.from === small.size && c.to === large.size)
    if (!entry)
      fail(
        1,
        'consistency-missing',
        `no consistency proof between sizes ${small.size} and ${large.size} (a checkpoint seen before)`,
      )
    const proof = entry.proof.map((h) => Buffer.from(h, 'base64'))
    const result = verifyConsistency(small.size, large.size, proof, small.root, large.root)
    if (!result.ok)
      fail(
        1,
        'consistency-failed',
        `sizes ${small.size} → ${large.size}: ${result.reason}: ${result.message}`,
      )
  }
}
