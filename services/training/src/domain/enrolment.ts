import { check } from '@trec/command'
import type { AttestationRecord, EventData, IdentityMethod, SealedValue } from '@trec/contracts'
import { regionCovers } from '@trec/contracts'
import type { ClassState } from './class.ts'
import { sessionsOf } from './class.ts'
import { type InstitutionState, notInForce } from './institution.ts'
import { violation } from './rules.ts'
import { firstOverlap } from './schedule.ts'
import { chinaDate } from './time.ts'
import { voucherUnusable } from './voucher.ts'
import { checkKey, findVoucher, type WorkerEvent, type WorkerState } from './worker-state.ts'

// Enrolment with real-name verification (实名认证: 「实现培训对象实名认证」 D0/D4; 「凡补必进、
// 不进不补」 D1/D3). The institution reports the check it made (card chip read, face match
// against the card photo, or a query to the 全国社会保障卡服务平台); a passed check enrols the
// worker, a failed one is recorded and enrols no one.

export interface IdentityReport {
  method: IdentityMethod
  /** The device or platform that answered (an attestation's issuer). */
  platform: string
  /** The platform's reference for the check (an attestation's `jti`). */
  platformRef: string
  verifiedAt: string
  result: EventData<'IdentityVerified'>['result']
  /** The signed attestation the check rests on, verified; absent for a check reported on the institution's word. */
  attestation?: { subject: string; record: AttestationRecord }
}

export interface EnrolCommand {
  kind: 'enrol'
  worker: string
  /** The class and its record; the institution's record; the worker's other classes. */
  class: ClassState
  institution: InstitutionState
  otherClasses: ClassState[]
  personal: { name: SealedValue; idNumber: SealedValue; phone?: SealedValue }
  voucher?: string
  identity: IdentityReport
  now: string
  /** Practice, from the options: how old a check may be, and how far ahead of our clock a device's may run. */
  identityMaxAgeMs: number
  clockSkewMs: number
  /** The rule set in force requires a signed attestation (its ref, for the refusal). */
  attestationRequiredBy?: { id: string; version: number }
}

export interface FailedCheckCommand {
  kind: 'record-failed-check'
  worker: string
  class: string
  identity: IdentityReport
  now: string
  clockSkewMs: number
}

/**
 * A card read on a device answers as that device; a face match or a platform query as the
 * platform; a signed attestation as its issuer, with what the record keeps of it.
 */
function identityVerified(worker: string, classId: string, identity: IdentityReport): WorkerEvent {
  return {
    type: 'IdentityVerified',
    data: {
      worker,
      class: classId,
      method: identity.method,
      platformRef: identity.platformRef,
      result: identity.result,
      verifiedBy: {
        kind: identity.method === 'card_chip' && !identity.attestation ? 'device' : 'platform',
        id: identity.platform,
      },
      ...(identity.attestation ? { attestation: identity.attestation.record } : {}),
    },
  }
}

const inFuture = (identity: IdentityReport, now: string, skewMs: number) =>
  Date.parse(identity.verifiedAt) > Date.parse(now) + skewMs &&
  violation('identity-check-in-future', 'the check is dated after now', { verifiedAt: identity.verifiedAt })

/** A failed check is evidence on its own (an attempt on a card that does not match); it is kept once. */
export function decideFailedCheck(command: FailedCheckCommand, state: WorkerState): WorkerEvent[] {
  check(
    command.identity.result === 'verified' &&
      violation('identity-not-verified', 'a passed check is recorded only with its enrolment'),
    inFuture(command.identity, command.now, command.clockSkewMs),
  )
  if (state.checks.includes(checkKey(command.identity.method, command.identity.platformRef))) return []
  return [identityVerified(command.worker, command.class, command.identity)]
}

function voucherViolation(command: EnrolCommand, state: WorkerState) {
  if (command.voucher === undefined) return undefined
  const voucher = findVoucher(state, command.voucher)
  const application = command.class.application!
  const unusable = voucherUnusable(voucher, command.now)
  if (unusable || !voucher) return unusable
  if (voucher.status !== 'claimed')
    return violation('voucher-not-claimed', 'the worker has not claimed the voucher yet')
  const { programme, region } = voucher.issued
  if (
    (programme !== undefined && programme !== application.programme) ||
    !regionCovers(region, application.region)
  )
    return violation('voucher-wrong-class', 'the voucher is for another programme or region', {
      ...(programme === undefined ? {} : { programme }),
      region,
    })
  return undefined
}

export function decideEnrolment(command: EnrolCommand, state: WorkerState): WorkerEvent[] {
  const { class: cls, identity, worker } = command
  const application = cls.application!
  const classId = application.class
  const others = command.otherClasses.filter(
    (c) => c.application?.class !== classId && c.closing?.reason !== 'cancelled',
  )
  const clash = others
    .map((other) => ({ other, pair: firstOverlap(sessionsOf(cls), sessionsOf(other)) }))
    .find((c) => c.pair !== undefined)
  const age = Date.parse(command.now) - Date.parse(identity.verifiedAt)
  check(
    cls.status === 'closed' &&
      violation('class-closed', 'the class is closed', { reason: cls.closing?.reason }),
    cls.status !== 'opened' &&
      cls.status !== 'closed' &&
      violation('class-not-opened', 'the class has not opened', { status: cls.status }),
    notInForce(command.institution, chinaDate(command.now)),
    cls.roster.length >= application.capacity &&
      violation('class-full', 'the class is full', { capacity: application.capacity }),
    (cls.roster.includes(worker) || state.enrolments.some((e) => e.class === classId)) &&
      violation('already-enrolled', 'the worker is already enrolled in this class'),
    clash !== undefined &&
      violation('schedule-overlap', "the class's sessions overlap a class the worker is enrolled in", {
        class: clash.other.application?.class,
        session: clash.pair![0].session,
        otherSession: clash.pair![1].session,
      }),
    identity.result !== 'verified' && violation('identity-not-verified', 'the real-name check did not pass'),
    command.attestationRequiredBy !== undefined &&
      !identity.attestation && {
        ...violation(
          'identity-attestation-required',
          'the rule set in force requires a signed identity attestation (实名认证) from a trusted source',
        ),
        ruleSet: command.attestationRequiredBy,
      },
    identity.attestation !== undefined &&
      identity.attestation.subject !== worker &&
      violation(
        'attestation-subject',
        'the attestation vouches for another person than the card number enrolled',
        {
          issuer: identity.attestation.record.issuer,
        },
      ),
    inFuture(identity, command.now, command.clockSkewMs),
    age > command.identityMaxAgeMs &&
      violation('identity-check-stale', 'the real-name check is too old', {
        verifiedAt: identity.verifiedAt,
        maxAgeHours: command.identityMaxAgeMs / 3_600_000,
      }),
    state.checks.includes(checkKey(identity.method, identity.platformRef)) &&
      violation('identity-check-reused', 'this check was already recorded for the worker'),
    voucherViolation(command, state),
  )
  const voucher = command.voucher === undefined ? undefined : findVoucher(state, command.voucher)!
  const enrolled: EventData<'WorkerEnrolled'> = {
    worker,
    class: classId,
    institution: application.institution,
    ...(voucher ? { voucher: voucher.issued.voucher } : {}),
    ...command.personal,
  }
  return [
    identityVerified(worker, classId, identity),
    { type: 'WorkerEnrolled', data: enrolled },
    ...(voucher
      ? [
          {
            type: 'VoucherRedeemed' as const,
            data: {
              voucher: voucher.issued.voucher,
              worker,
              class: classId,
              institution: application.institution,
              amount: voucher.issued.value,
            },
          },
        ]
      : []),
    { type: 'RosterEntryAdded', data: { class: classId, worker } },
  ]
}
