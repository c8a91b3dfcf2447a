import { spec } from '@trec/command/testing'
import type { EventData } from '@trec/contracts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FaceCheckBatch } from '../../src/domain/batch-payload.ts'
import type { ClassFact } from '../../src/domain/class-view.ts'
import type { DeviceView } from '../../src/domain/device.ts'
import { faceCheckBatchDecider, type RecordFaceCheckBatch } from '../../src/domain/face-check-batch.ts'
import type { CheckViolation } from '../../src/domain/rules.ts'
import { applied, batchOf, classId, faceCheck, institution, opened, sessions, stranger } from '../fixtures.ts'

const device = 'dev-fc-0031'
const registration: EventData<'DeviceRegistered'> = {
  device,
  class: classId,
  institution,
  algorithm: 'EdDSA',
  publicKey: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  keyThumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
}
const openClass: ClassFact[] = [
  { type: 'ClassOpeningApplied', data: applied() },
  { type: 'ClassOpened', data: opened() },
]
const minute = 60_000
const start1 = Date.parse(sessions[0]!.start)
const end1 = Date.parse(sessions[0]!.end)

function record(batch: FaceCheckBatch, over: Partial<RecordFaceCheckBatch> = {}): RecordFaceCheckBatch {
  return {
    kind: 'RecordFaceCheckBatch',
    caller: { device, class: classId },
    signature: { kid: device, verified: true },
    signer: { registration } satisfies DeviceView,
    batch,
    now: Date.parse('2024-04-08T18:00:00+08:00'),
    tolerance: { beforeMs: 15 * minute, afterMs: 0 },
    maxSkewMs: 5 * minute,
    ...over,
  }
}

const batch = (...checks: FaceCheckBatch['checks']) => ({ device, class: classId, batchId: 'b-1', checks })
const at = (ms: number) => new Date(ms).toISOString()

describe('a signed face-check batch', () => {
  it('records every check, in order, with the class and device of the batch', () => {
    const b = batchOf(device, 'b-1', 3)
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(b))
      .then(
        ...b.checks.map((c) => ({
          type: 'FaceCheckRecorded' as const,
          data: { ...c, class: classId, device },
        })),
      )
  })

  it('records failed matches and failed liveness as they are: they are evidence too', () => {
    const failed = faceCheck(0, {
      result: 'fail',
      matchScore: 0.2,
      liveness: { method: 'action', score: 0.1, passed: false },
    })
    expect(
      spec(faceCheckBatchDecider)
        .given(...openClass)
        .when(record(batch(failed)))
        .events(),
    ).toHaveLength(1)
  })
})

describe('who signed the batch', () => {
  const b = batchOf(device, 'b-1', 2)

  it('refuses a batch without a kid, e.g. unsigned (batch-signed)', () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(
        record(b, { signature: { verified: false, problem: 'algorithm none is not accepted' }, signer: {} }),
      )
      .rejects('batch-signed')
  })

  it("refuses a signature that does not verify under the device's key (batch-signed)", () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(b, { signature: { kid: device, verified: false }, batch: undefined }))
      .rejects('batch-signed')
  })

  it('refuses a key of a device that is not registered (signer-registered)', () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(b, { signature: { kid: 'dev-unknown', verified: false }, signer: {}, batch: undefined }))
      .rejects('signer-registered')
  })

  it('refuses a batch from a revoked device, even with a good signature (signer-active)', () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(b, { signer: { registration, revoked: { device, reason: 'compromised' } } }))
      .rejects('signer-active')
  })

  it("refuses a batch signed with another device's key (signer-is-caller)", () => {
    const other = { ...registration, device: 'dev-fc-0099' }
    const foreign = { ...b, device: 'dev-fc-0099' }
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(
        record(foreign, {
          signature: { kid: 'dev-fc-0099', verified: true },
          signer: { registration: other },
        }),
      )
      .rejects('signer-is-caller')
  })

  it('refuses a batch that names another device than its signer (signer-is-caller)', () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record({ ...b, device: 'dev-fc-0099' }))
      .rejects('signer-is-caller')
  })

  it("refuses a batch for a class that isn't the device's (class-of-device)", () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record({ ...b, class: 'cls-2024-0400' }, { caller: { device, class: 'cls-2024-0400' } }))
      .rejects('class-of-device')
  })

  it("refuses a batch whose class is not the one the caller's token names (class-of-device)", () => {
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(b, { caller: { device, class: 'cls-2024-0400' } }))
      .rejects('class-of-device')
  })

  it('refuses checks in a class that has not opened (class-opened)', () => {
    spec(faceCheckBatchDecider).given(openClass[0]!).when(record(b)).rejects('class-opened')
  })
})

describe('each check of the batch', () => {
  const refusal = (...checks: FaceCheckBatch['checks']) =>
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(batch(...checks)))

  it('refuses a worker who is not on the roster (worker-enrolled), naming the check by index', () => {
    const reasons = refusal(faceCheck(0), faceCheck(1, { worker: stranger })).rejects('worker-enrolled')
    expect(reasons).toEqual([
      { index: 1, rule: 'worker-enrolled', message: 'the worker is not on the class roster' },
    ])
  })

  it('refuses a session that is not in the schedule (session-scheduled)', () => {
    refusal(faceCheck(0, { session: 'ses-99' })).rejects('session-scheduled')
  })

  it('takes a check up to the tolerance before the start, and refuses one earlier (within-session)', () => {
    refusal(faceCheck(0, { checkedAt: at(start1 - 15 * minute) })).events()
    refusal(faceCheck(0, { checkedAt: at(start1 - 15 * minute - 1000) })).rejects('within-session')
  })

  it('takes a check at the end, refuses one after it unless the tolerance allows (within-session)', () => {
    refusal(faceCheck(0, { checkedAt: at(end1), purpose: 'sign_out' })).events()
    refusal(faceCheck(0, { checkedAt: at(end1 + 1000), purpose: 'sign_out' })).rejects('within-session')
    const late = batch(faceCheck(0, { checkedAt: at(end1 + 10 * minute), purpose: 'sign_out' }))
    const tolerant = record(late, { tolerance: { beforeMs: 15 * minute, afterMs: 15 * minute } })
    expect(
      spec(faceCheckBatchDecider)
        .given(...openClass)
        .when(tolerant)
        .events(),
    ).toHaveLength(1)
  })

  it('refuses a check taken after the class closed (before-closing)', () => {
    const closed: ClassFact = {
      type: 'ClassClosed',
      data: { class: classId, reason: 'stopped_by_authority' },
      occurredAt: at(start1 + 60 * minute),
    }
    const given = spec(faceCheckBatchDecider).given(...openClass, closed)
    given.when(record(batch(faceCheck(0, { checkedAt: at(start1 + 59 * minute), purpose: 'spot' })))).events()
    given
      .when(record(batch(faceCheck(0, { checkedAt: at(start1 + 61 * minute), purpose: 'spot' }))))
      .rejects('before-closing')
  })

  it("refuses a check stamped later than the server's clock plus the skew (not-in-future)", () => {
    const now = start1 + 30 * minute
    const check = faceCheck(0, { checkedAt: at(now + 6 * minute), purpose: 'spot' })
    spec(faceCheckBatchDecider)
      .given(...openClass)
      .when(record(batch(check), { now }))
      .rejects('not-in-future')
  })

  it('refuses the second of two identical checks in one batch (check-unique)', () => {
    const reasons = refusal(faceCheck(0), faceCheck(2), faceCheck(0)).rejects('check-unique')
    expect((reasons[0] as CheckViolation).index).toBe(2)
  })

  it('refuses the whole batch and lists exactly the refused checks, whichever they are', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (bad) => {
        const checks = bad.map((isBad, i) => faceCheck(i, isBad ? { worker: stranger } : {}))
        const cmd = record(batch(...checks))
        const run = spec(faceCheckBatchDecider)
          .given(...openClass)
          .when(cmd)
        const expected = bad.flatMap((isBad, i) => (isBad ? [i] : []))
        if (expected.length === 0) return run.events().length === checks.length
        const reasons = run.rejects(...expected.map(() => 'worker-enrolled')) as CheckViolation[]
        expect(reasons.map((r) => r.index)).toEqual(expected)
        return true
      }),
      { numRuns: 60 },
    )
  })
})
