// Why a verification fails. Each failure names the first item that fails: the line (1 is the
// header), the event where there is one, a stable reason code and a sentence.

export const failureReasons = [
  /** Line 1 is not an export header of this format. */
  'header-malformed',
  /** The checkpoint's signed note or JWS is not a well-formed checkpoint. */
  'checkpoint-malformed',
  /** The JWS header is not the checkpoint profile (alg, typ, kid). */
  'checkpoint-unsupported-header',
  /** No pinned key signed the checkpoint (e.g. re-signed with a foreign key). */
  'checkpoint-no-trusted-signature',
  /** A pinned key's signature does not verify: the checkpoint was altered. */
  'checkpoint-bad-signature',
  /** The checkpoint is another log's. */
  'checkpoint-wrong-origin',
  /** Signed only by keys whose validity window does not hold the checkpoint's timestamp. */
  'checkpoint-key-not-valid-at-time',
  /** Fewer of the pinned witnesses cosigned the checkpoint than required (--witnesses). */
  'checkpoint-too-few-cosignatures',
  /** A pinned witness's cosignature does not verify: the checkpoint or the cosignature was altered. */
  'checkpoint-bad-cosignature',
  /** The JWS and the signed note carry different checkpoints, or the header's size disagrees. */
  'checkpoint-mismatch',
  /** A checkpoint seen before (from the --seen file) does not verify against the pinned keys. */
  'seen-checkpoint-invalid',
  /** The export carries no consistency proof for a checkpoint seen before. */
  'consistency-missing',
  /** A consistency proof fails: the log was rewritten between the two checkpoints. */
  'consistency-failed',
  /** An event line is not `{"event":…,"index":…,"proof":[…]}` as written by the service. */
  'line-malformed',
  /** Leaf indexes do not strictly increase: lines reordered, repeated or inserted. */
  'leaf-order',
  /** A leaf index is not below the checkpoint's tree size. */
  'leaf-out-of-range',
  /** The inclusion proof does not lead from the event's leaf hash to the checkpoint's root. */
  'inclusion-failed',
  /** The (included) event is not an event envelope. */
  'event-malformed',
  /** The same event (by id) is at two leaves of the log. */
  'event-repeated',
  /** An event does not belong to the selection the header names. */
  'selection-mismatch',
  /** The export holds more or fewer events than its header says: lines deleted, inserted or cut. */
  'event-count',
  /** The leaf indexes are not the ones the header lists (by digest). */
  'leaf-digest',
  /** The file ends in the middle of a line. */
  'truncated',
  /** An event cites evidence that is not in the export. */
  'evidence-missing',
  /** An event cites evidence that was logged after it. */
  'evidence-after-citing-event',
  /** A proof or checkpoint answer (`trec-verify inclusion|consistency|checkpoint`) is not one. */
  'proof-malformed',
  /** Replaying the events gives another result than the one expected (--expect). */
  'replay-mismatch',
] as const

export type FailureReason = (typeof failureReasons)[number]

export interface VerifyFailure {
  /** 1-based line number in the export; 0 when the failure is not tied to a line. */
  line: number
  eventId?: string
  reason: FailureReason
  message: string
}

export class VerificationFailed extends Error {
  readonly failure: VerifyFailure

  constructor(failure: VerifyFailure) {
    super(describeFailure(failure))
    this.failure = failure
  }
}

export function fail(line: number, reason: FailureReason, message: string, eventId?: string): never {
  throw new VerificationFailed({ line, reason, message, ...(eventId === undefined ? {} : { eventId }) })
}

export function describeFailure(f: VerifyFailure): string {
  const where = [f.line > 0 ? `line ${f.line}` : undefined, f.eventId ? `event ${f.eventId}` : undefined]
    .filter(Boolean)
    .join(', ')
  return `${where ? `${where}: ` : ''}${f.reason}: ${f.message}`
}
