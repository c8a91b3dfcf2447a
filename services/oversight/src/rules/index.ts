import type { FraudRule } from '../detectors/fraud-rule.ts'
import type { RuleId } from './parameters.ts'
import { r1DuplicateClaim } from './r1-duplicate-claim.ts'
import { r2YearlyCap } from './r2-yearly-cap.ts'
import { r3LowerLevel } from './r3-lower-level.ts'
import { r4ImpossiblePresence } from './r4-impossible-presence.ts'
import { r5DoubleBooking } from './r5-double-booking.ts'
import { r6SharedFaceOrDevice } from './r6-shared-face-or-device.ts'
import { r7CompletionWithoutAttendance } from './r7-completion-without-attendance.ts'
import { r8ClaimWithoutCertificate } from './r8-claim-without-certificate.ts'
import { r9IneligibleTrainee } from './r9-ineligible-trainee.ts'
import { r10OnlineBrushing } from './r10-online-brushing.ts'
import { r11CertificateMill } from './r11-certificate-mill.ts'
import { r12Collusion } from './r12-collusion.ts'
import { r13AccessWithoutCase } from './r13-access-without-case.ts'

export {
  r1DuplicateClaim,
  r2YearlyCap,
  r3LowerLevel,
  r4ImpossiblePresence,
  r5DoubleBooking,
  r6SharedFaceOrDevice,
  r7CompletionWithoutAttendance,
  r8ClaimWithoutCertificate,
  r9IneligibleTrainee,
  r10OnlineBrushing,
  r11CertificateMill,
  r12Collusion,
  r13AccessWithoutCase,
}

/** Every rule, by id. */
export const fraudRules: { [R in RuleId]: FraudRule<R> } = {
  R1: r1DuplicateClaim,
  R2: r2YearlyCap,
  R3: r3LowerLevel,
  R4: r4ImpossiblePresence,
  R5: r5DoubleBooking,
  R6: r6SharedFaceOrDevice,
  R7: r7CompletionWithoutAttendance,
  R8: r8ClaimWithoutCertificate,
  R9: r9IneligibleTrainee,
  R10: r10OnlineBrushing,
  R11: r11CertificateMill,
  R12: r12Collusion,
  R13: r13AccessWithoutCase,
}
