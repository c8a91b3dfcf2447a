import type { EnrolCommand, IdentityReport } from '../../src/domain/enrolment.ts'
import type { WorkerEvent } from '../../src/domain/worker-state.ts'
import { application, classState, designated, now, opened, passed, sealedFor, worker } from './fixtures.ts'

// An enrolment into the open class of fixtures.ts, after a check on the national card platform.

export const hour = 3_600_000
export const identity: IdentityReport = {
  method: 'ssc_platform',
  platform: 'ssc-national',
  platformRef: 'SSCP-20240401-000193',
  verifiedAt: '2024-04-01T00:30:00.000Z',
  result: 'verified',
}
export const personal = {
  name: sealedFor('name'),
  idNumber: sealedFor('idNumber'),
  phone: sealedFor('phone'),
}
export const openClass = classState(application(), passed(), opened())

export const enrol = (over: Partial<EnrolCommand> = {}): EnrolCommand => ({
  kind: 'enrol',
  worker,
  class: openClass,
  institution: designated,
  otherClasses: [],
  personal,
  identity,
  now,
  identityMaxAgeMs: 24 * hour,
  clockSkewMs: 120_000,
  ...over,
})

export const checked: WorkerEvent = {
  type: 'IdentityVerified',
  data: {
    worker,
    class: 'cls-1',
    method: 'ssc_platform',
    platformRef: identity.platformRef,
    result: 'verified',
    verifiedBy: { kind: 'platform', id: 'ssc-national' },
  },
}
export const enrolled = (voucher?: string): WorkerEvent => ({
  type: 'WorkerEnrolled',
  data: {
    worker,
    class: 'cls-1',
    institution: 'inst-130100-0042',
    ...(voucher ? { voucher } : {}),
    ...personal,
  },
})
export const issued = (
  over: Partial<Extract<WorkerEvent, { type: 'VoucherIssued' }>['data']> = {},
): WorkerEvent => ({
  type: 'VoucherIssued',
  data: {
    voucher: 'vch-1',
    worker,
    region: '130100',
    value: 200_000,
    validUntil: '2024-12-31T23:59:59+08:00',
    ...over,
  },
})

/** The worker's claim (领取) of voucher vch-1, which redemption at enrolment needs. */
export const claimed: WorkerEvent = { type: 'VoucherClaimed', data: { voucher: 'vch-1', worker } }
