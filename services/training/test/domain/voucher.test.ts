import { spec } from '@trec/command/testing'
import { describe, it } from 'vitest'
import type { IssueVoucherCommand } from '../../src/domain/voucher.ts'
import { workerDecider } from '../../src/domain/worker.ts'
import type { WorkerEvent } from '../../src/domain/worker-state.ts'
import { now, programme, worker } from './fixtures.ts'

const validUntil = '2024-09-28T01:00:00.000Z'
const issue = (over: Partial<IssueVoucherCommand> = {}): IssueVoucherCommand => ({
  kind: 'issue-voucher',
  voucher: 'vch-1',
  worker,
  region: '130100',
  value: 150_000,
  validUntil,
  now,
  ...over,
})
const issued = (over: object = {}): WorkerEvent =>
  ({
    type: 'VoucherIssued',
    data: { voucher: 'vch-1', worker, region: '130100', value: 150_000, validUntil, ...over },
  }) as WorkerEvent
const expire = (at = '2024-09-29T00:00:00.000Z') => ({
  kind: 'expire-voucher' as const,
  voucher: 'vch-1',
  worker,
  now: at,
})
const expired: WorkerEvent = { type: 'VoucherExpired', data: { voucher: 'vch-1', worker } }

describe('issuing a voucher (职业培训券, D0; 电子培训券, D3)', () => {
  it('issues a voucher of a stated value for any programme', () => {
    spec(workerDecider).given().when(issue()).then(issued())
  })

  it("issues a voucher for one programme, worth the programme's standard by default", () => {
    spec(workerDecider)
      .given()
      .when(issue({ value: undefined, programme: programme.programme, programmeEntry: programme }))
      .then(issued({ value: 250_000, programme: programme.programme }))
  })

  it('refuses a programme missing from the catalogue, or no longer in force', () => {
    spec(workerDecider)
      .given()
      .when(issue({ programme: 'prog-none' }))
      .rejects('programme-unknown')
    const ended = { ...programme, effectiveTo: '2024-03-31' }
    spec(workerDecider)
      .given()
      .when(issue({ programme: programme.programme, programmeEntry: ended }))
      .rejects('programme-not-in-force')
  })

  it('refuses a validity already past', () => {
    spec(workerDecider)
      .given()
      .when(issue({ validUntil: '2024-04-01T00:59:59.000Z' }))
      .rejects('voucher-validity-past')
  })
})

describe('a voucher lapsing', () => {
  it('lapses once its validity has ended', () => {
    spec(workerDecider).given(issued()).when(expire()).then(expired)
  })

  it('does not lapse while valid, when unknown, spent or already lapsed', () => {
    spec(workerDecider)
      .given(issued())
      .when(expire('2024-09-28T00:59:59.000Z'))
      .rejects('voucher-still-valid')
    spec(workerDecider).given().when(expire()).rejects('voucher-unknown')
    const spent: WorkerEvent = {
      type: 'VoucherRedeemed',
      data: { voucher: 'vch-1', worker, class: 'cls-1', institution: 'i', amount: 150_000 },
    }
    spec(workerDecider).given(issued(), spent).when(expire()).rejects('voucher-redeemed')
    spec(workerDecider).given(issued(), expired).when(expire()).rejects('voucher-expired')
  })
})
