import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  batchFile,
  batchView,
  checkReturn,
  claimsHeld,
  type Issued,
  parseReturnFile,
  yuan,
} from '../../src/domain/payment-batch.ts'

const worker = '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a'
const account = { kind: 'ssc_card' as const, bankAccount: { v: 1, kid: 'k', iv: 'i', ct: 'c' } as never }
const line = (n: number, amount: number) => ({
  line: n,
  claim: `clm-${worker}-${n}`,
  worker,
  payee: { kind: 'worker' as const, id: worker },
  amount,
  paymentRef: `pb-130102-1/${n}`,
  account,
})
const issued: Issued = {
  batch: 'pb-130102-1',
  region: '130102',
  issuedOn: '2021-06-20',
  lines: [line(1, 150_000), line(2, 99_901)],
  total: 249_901,
}
const view = () => batchView([{ type: 'PaymentBatchIssued', data: issued }], 0)

describe('payment batch files', () => {
  it('shows fen as yuan with two decimals', () => {
    expect([yuan(150_000), yuan(99_901), yuan(5), yuan(0)]).toEqual(['1500.00', '999.01', '0.05', '0.00'])
  })

  it('writes the batch file with its count, total and the SHA-256 of what precedes the trailer', () => {
    const file = batchFile(
      issued,
      new Map([
        [1, '6217000130000100001'],
        [2, '6217000130000100002'],
      ]),
    )
    const rows = file.split('\n')
    expect(rows[0]).toBe('TRECPAY,1,pb-130102-1,130102,2021-06-20,2,249901,2499.01')
    expect(rows[2]).toBe(`2,pb-130102-1/2,6217000130000100002,99901,999.01,clm-${worker}-2,`)
    const body = `${rows.slice(0, 3).join('\n')}\n`
    expect(rows[3]).toBe(`END,2,249901,${createHash('sha256').update(body).digest('hex')}`)
  })

  it('reads a return and checks it against its batch', () => {
    const text =
      'TRECRET,1,pb-130102-1,RET-1,2021-06-21\r\n1,pb-130102-1/1,150000,PAID,BK1,,\r\n2,pb-130102-1/2,99901,FAILED,,ACCT_CLOSED,closed, replaced\r\nEND,2,150000,99901\r\n'
    const { parsed, problems } = parseReturnFile(text)
    expect(problems).toEqual([])
    expect(parsed!.lines[1]).toMatchObject({
      outcome: 'failed',
      reason: { code: 'ACCT_CLOSED', text: 'closed, replaced' },
    })
    expect(checkReturn(parsed!, view())).toEqual([])
  })

  it('names each wrong line of a return: twice, unknown, amount, missing, trailer', () => {
    const text =
      'TRECRET,1,pb-130102-1,RET-1,2021-06-21\n1,pb-130102-1/1,150000,PAID,BK1,,\n1,pb-130102-1/1,150000,PAID,BK1,,\n3,pb-130102-1/3,100,PAID,BK3,,\nEND,3,300100,0\n'
    const { parsed, problems } = parseReturnFile(text)
    expect(problems).toEqual([])
    expect(checkReturn(parsed!, view()).map((p) => [p.code, p.fileLine, p.batchLine])).toEqual([
      ['duplicate_line', 3, 1],
      ['unknown_line', 4, 3],
      ['missing_line', 0, 2],
    ])
    const short =
      'TRECRET,1,pb-130102-1,RET-1,2021-06-21\n1,pb-130102-1/1,150000,PAID,BK1,,\n2,pb-130102-1/2,99900,PAID,BK2,,\nEND,2,1,0\n'
    const read = parseReturnFile(short)
    expect(read.problems.map((p) => [p.code, p.fileLine])).toEqual([['trailer', 4]])
    expect(checkReturn(read.parsed!, view()).map((p) => p.code)).toEqual(['amount_differs'])
    expect(checkReturn(read.parsed!, undefined).map((p) => p.code)).toEqual(['unknown_batch'])
  })

  it('holds a claim while its line is open, paid or failed; frees it when cancelled or re-issued', () => {
    const returned = {
      type: 'BankReturnRecorded',
      data: {
        batch: issued.batch,
        returnRef: 'RET-1',
        receivedOn: '2021-06-21',
        lines: [
          { line: 1, outcome: 'paid', amount: 150_000, bankRef: 'BK1' },
          { line: 2, outcome: 'failed', amount: 99_901, reason: { code: 'X', text: 'closed' } },
        ],
        paid: 150_000,
        failed: 99_901,
      },
    }
    const events = [{ type: 'PaymentBatchIssued', data: issued }, returned]
    expect([...claimsHeld([batchView(events, 1)]).keys()]).toEqual([`clm-${worker}-1`, `clm-${worker}-2`])
    const cancelled = [...events, { type: 'PaymentLineCancelled', data: { line: 2 } }]
    expect([...claimsHeld([batchView(cancelled, 2)]).keys()]).toEqual([`clm-${worker}-1`])
  })
})
