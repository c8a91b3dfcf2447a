import { type Decider, type RuleViolation, reject } from '@trec/command'
import type { EventDataToAppend } from '@trec/contracts'
import type { FaceCheck, FaceCheckBatch } from './batch-payload.ts'
import { type ClassFact, type ClassView, emptyClassView, evolveClassView } from './class-view.ts'
import type { DeviceView } from './device.ts'
import { type CheckViolation, checkViolation, violation } from './rules.ts'

// A signed batch of face checks from one device, decided against the class it names. The seeds
// name face recognition for online training (D0, D1: 「采取实名制管理、人脸识别等技术手段…实现
// 学习过程可查询、可追溯」); face-check attendance in offline classes is national practice (brief
// §2 step 7). A batch is all or nothing: one refused check refuses it whole, and every refused
// check is listed by its index, so the device can correct and resend it.
//
// The work is O(checks): the class view is read once per batch (roster a set, schedule a map),
// nothing else is read per check.

export type FaceCheckEvent = { type: 'FaceCheckRecorded'; data: EventDataToAppend<'FaceCheckRecorded'> }

export interface RecordFaceCheckBatch {
  kind: 'RecordFaceCheckBatch'
  /** What the caller's access token says it is. */
  caller: { device: string; class: string }
  /** The JWS: the `kid` of its protected header (if any) and whether it verified under the signer's key. */
  signature: { kid?: string; verified: boolean; problem?: string }
  /** The device the `kid` names, as its stream has it (empty when there is no such device). */
  signer: DeviceView
  /** The verified payload; absent when the signature did not verify. */
  batch?: FaceCheckBatch
  /** The server's clock, epoch ms. */
  now: number
  /** How far before a session's start and after its end a check still counts, in ms. */
  tolerance: { beforeMs: number; afterMs: number }
  /** How far ahead of the server's clock a device's clock may run, in ms. */
  maxSkewMs: number
}

/** What the signer rules read of a batch command (face checks or online learning). */
export type SignedCommand = Pick<RecordFaceCheckBatch, 'caller' | 'signature' | 'signer'> & {
  batch?: { device: string; class: string }
}

/** The batch-level rules: who signed it, whether that device may, and for which class. */
export function signerViolations(command: SignedCommand): RuleViolation[] {
  const { signature, signer, caller, batch } = command
  const kid = signature.kid
  if (kid === undefined)
    return [
      violation('batch-signed', `the batch is not signed: ${signature.problem ?? 'no kid in its header'}`),
    ]
  const found: RuleViolation[] = []
  if (!signer.registration) return [violation('signer-registered', `no device ${kid} is registered`)]
  if (!signature.verified)
    found.push(violation('batch-signed', `the signature does not verify: ${signature.problem ?? 'invalid'}`))
  if (signer.revoked)
    found.push(violation('signer-active', `device ${kid} is revoked (${signer.revoked.reason})`))
  if (kid !== caller.device)
    found.push(
      violation('signer-is-caller', `the batch is signed by device ${kid}, not by the calling device`),
    )
  if (batch && batch.device !== kid)
    found.push(
      violation('signer-is-caller', `the batch names device ${batch.device} but is signed by ${kid}`),
    )
  if (batch && (batch.class !== signer.registration.class || batch.class !== caller.class))
    found.push(
      violation('class-of-device', `device ${kid} is registered to class ${signer.registration.class}`, {
        batchClass: batch.class,
      }),
    )
  return found
}

/** The per-check rules for checks a batch carries (face-check devices, learning platforms and card readers alike). */
export function faceCheckViolations(
  batch: { checks: readonly Pick<FaceCheck, 'worker' | 'session' | 'checkedAt' | 'purpose'>[] },
  view: ClassView,
  command: Pick<RecordFaceCheckBatch, 'tolerance' | 'now' | 'maxSkewMs'>,
): CheckViolation[] {
  const { beforeMs, afterMs } = command.tolerance
  const latest = command.now + command.maxSkewMs
  const seen = new Set<string>()
  const found: CheckViolation[] = []
  batch.checks.forEach((check, index) => {
    const at = Date.parse(check.checkedAt)
    // 实名制: only workers on the roster are in the record (D1 「凡补必进、不进不补」, D3).
    if (!view.roster.has(check.worker))
      found.push(checkViolation(index, 'worker-enrolled', 'the worker is not on the class roster'))
    // The schedule approved at 开班 (D1 开班申请, D3 培训前审核); the window's tolerance is practice.
    const session = view.sessions.get(check.session)
    if (!session)
      found.push(
        checkViolation(index, 'session-scheduled', `session ${check.session} is not in the schedule`),
      )
    else if (at < session.start - beforeMs || at > session.end + afterMs)
      found.push(
        checkViolation(
          index,
          'within-session',
          `checkedAt is outside session ${check.session} (${new Date(session.start).toISOString()} – ${new Date(session.end).toISOString()}) and its tolerance`,
        ),
      )
    if (view.closedAt !== undefined && at >= view.closedAt)
      found.push(checkViolation(index, 'before-closing', 'checkedAt is after the class closed'))
    if (at > latest) found.push(checkViolation(index, 'not-in-future', 'checkedAt is in the future'))
    const key = `${check.worker}|${check.session}|${check.purpose}|${at}`
    if (seen.has(key))
      found.push(checkViolation(index, 'check-unique', 'the same check appears earlier in the batch'))
    seen.add(key)
  })
  return found
}

/** Decides a batch against its class: every check as a `FaceCheckRecorded`, in order, or a refusal. */
export function decideFaceCheckBatch(command: RecordFaceCheckBatch, view: ClassView): FaceCheckEvent[] {
  const signing = signerViolations(command)
  if (signing.length > 0) reject(...signing)
  const batch = command.batch
  if (!batch) return reject(violation('batch-signed', 'the batch has no verified payload'))
  if (!view.exists || !view.opened) reject(violation('class-opened', `class ${batch.class} has not opened`))
  const refused = faceCheckViolations(batch, view, command)
  if (refused.length > 0) reject(...refused)
  return batch.checks.map((check) => ({
    type: 'FaceCheckRecorded',
    data: { ...check, class: batch.class, device: batch.device },
  }))
}

export const faceCheckBatchDecider: Decider<ClassView, RecordFaceCheckBatch, FaceCheckEvent | ClassFact> = {
  initialState: emptyClassView,
  evolve: (view, fact) => evolveClassView(view, fact as ClassFact),
  decide: decideFaceCheckBatch,
}
