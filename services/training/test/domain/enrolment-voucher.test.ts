import { spec } from '@trec/command/testing'
import { describe, it } from 'vitest'
import { workerDecider } from '../../src/domain/worker.ts'
import type { WorkerEvent } from '../../src/domain/worker-state.ts'
import { checked, claimed, enrol, identity, issued } from './enrolment-fixtures.ts'
import { now, worker } from './fixtures.ts'

describe('a failed real-name check', () => {
  const failed = { ...identity, result: 'not_found' as const }
  const record = {
    kind: 'record-failed-check' as const,
    worker,
    class: 'cls-1',
    identity: failed,
    now,
    clockSkewMs: 0,
  }
  const recorded: WorkerEvent = { ...checked, data: { ...checked.data, result: 'not_found' } } as WorkerEvent

  it('is recorded on its own, once', () => {
    spec(workerDecider).given().when(record).then(recorded)
    spec(workerDecider).given(recorded).when(record).then()
  })

  it('is recorded only if it failed and is not dated in the future', () => {
    spec(workerDecider)
      .given()
      .when({ ...record, identity })
      .rejects('identity-not-verified')
    spec(workerDecider)
      .given()
      .when({ ...record, identity: { ...failed, verifiedAt: '2024-04-02T00:00:00.000Z' } })
      .rejects('identity-check-in-future')
  })
})

describe('paying with a voucher', () => {
  const withVoucher = enrol({ voucher: 'vch-1' })

  it('refuses a voucher not issued to the worker, spent, or lapsed', () => {
    spec(workerDecider).given().when(withVoucher).rejects('voucher-unknown')
    const spent: WorkerEvent = {
      type: 'VoucherRedeemed',
      data: { voucher: 'vch-1', worker, class: 'cls-0', institution: 'i', amount: 1 },
    }
    spec(workerDecider).given(issued(), spent).when(withVoucher).rejects('voucher-redeemed')
    spec(workerDecider)
      .given(issued(), { type: 'VoucherExpired', data: { voucher: 'vch-1', worker } })
      .when(withVoucher)
      .rejects('voucher-expired')
    spec(workerDecider)
      .given(issued({ validUntil: '2024-03-31T23:59:59+08:00' }))
      .when(withVoucher)
      .rejects('voucher-expired')
  })

  it('refuses a voucher for another programme or a region that does not cover the class', () => {
    spec(workerDecider)
      .given(issued({ programme: 'prog-other' }), claimed)
      .when(withVoucher)
      .rejects('voucher-wrong-class')
    spec(workerDecider)
      .given(issued({ region: '130200' }), claimed)
      .when(withVoucher)
      .rejects('voucher-wrong-class')
    spec(workerDecider)
      .given(issued({ region: '130000', programme: 'prog-electrician-2024' }), claimed)
      .when(withVoucher)
      .events()
  })

  it('refuses a voucher the worker has not claimed, and redeems it once claimed', () => {
    spec(workerDecider).given(issued()).when(withVoucher).rejects('voucher-not-claimed')
    spec(workerDecider).given(issued(), claimed).when(withVoucher).events()
  })
})
