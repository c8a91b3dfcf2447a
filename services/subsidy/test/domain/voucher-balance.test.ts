import { describe, expect, it } from 'vitest'
import { voucherBalances, voucherTotals } from '../../src/domain/voucher-balance.ts'

const worker = '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a'
const issued = (voucher: string, validUntil = '2021-09-01T00:00:00.000Z') => ({
  type: 'VoucherIssued',
  data: { voucher, worker, region: '130100', value: 100_000, validUntil },
})

describe('a worker’s voucher balance', () => {
  it('counts usable, redeemed-unpaid and settled fen, and a voucher past its validity as lapsed', () => {
    const training = [
      issued('v-usable'),
      issued('v-lapsed', '2021-03-01T00:00:00.000Z'),
      issued('v-redeemed'),
      { type: 'VoucherClaimed', data: { voucher: 'v-redeemed', worker } },
      {
        type: 'VoucherRedeemed',
        data: { voucher: 'v-redeemed', worker, class: 'cls-1', institution: 'inst-1', amount: 100_000 },
      },
      issued('v-settled'),
      {
        type: 'VoucherRedeemed',
        data: { voucher: 'v-settled', worker, class: 'cls-2', institution: 'inst-1', amount: 90_000 },
      },
    ]
    const settled = [{ voucher: 'v-settled', paymentRef: 'pb-130100-1/1', amount: 90_000 }]
    const vouchers = voucherBalances(training, settled, '2021-06-01T00:00:00.000Z')
    expect(vouchers.map((v) => [v.voucher, v.status])).toEqual([
      ['v-usable', 'issued'],
      ['v-lapsed', 'expired'],
      ['v-redeemed', 'redeemed'],
      ['v-settled', 'settled'],
    ])
    expect(voucherTotals(vouchers)).toEqual({ available: 100_000, redeemed: 100_000, settled: 90_000 })
  })
})
