import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { disbursementOfPayment, foldWorkerCompliance, parseDisbursementCsv, reconcile } from '../src/index.ts'
import { envelopes, financeFile, generateRecord, testRuleSet } from '../test-support/index.ts'

// 对账 (D0 建账、对账、交账、算账): the finance department's file against the record.

const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'

describe('the disbursement file format', () => {
  it('reads quoted fields, a byte-order mark, CRLF and LF, columns in any order, and yuan exactly', () => {
    const csv = `\ufeffAmount_Yuan,payee_kind,payee_id,payment_ref,claim,bank_note\r\n0.29,provider,inst-1,"PAY,1",clm-1,"say ""hi""\nthere"\n1234.5,worker,${worker},PAY-2,,\n`
    const parsed = parseDisbursementCsv(csv)
    expect(parsed.issues).toEqual([])
    expect(parsed.ignoredColumns).toEqual(['bank_note'])
    expect(parsed.rows).toEqual([
      { line: 2, paymentRef: 'PAY,1', claim: 'clm-1', payeeKind: 'provider', payeeId: 'inst-1', amount: 29 },
      { line: 4, paymentRef: 'PAY-2', claim: null, payeeKind: 'worker', payeeId: worker, amount: 123_450 },
    ])
  })

  it('names the line and column of every problem, without quoting the cell', () => {
    const csv = [
      'payment_ref,claim,payee_kind,payee_id,amount_fen',
      'PAY-1,clm-1,provider,inst-1,100',
      'PAY-2,clm-2,bank,inst-1,100',
      'PAY-3,clm-3,worker,110101199003071234,1.50',
      'PAY-4,clm-4,provider,inst-1',
      ',clm-5,provider,inst-1,0',
    ].join('\n')
    const { issues, rows } = parseDisbursementCsv(csv)
    expect(rows).toHaveLength(1)
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      [['body', 3, 'payee_kind'], 'invalid_payee_kind'],
      [['body', 4, 'payee_id'], 'invalid_pseudonym'],
      [['body', 4, 'amount_fen'], 'invalid_amount'],
      [['body', 5], 'field_count'],
      [['body', 6, 'payment_ref'], 'invalid_reference'],
      [['body', 6, 'amount_fen'], 'invalid_amount'],
    ])
    expect(issues[0]!.message).toBe('line 3, column 3 (payee_kind): must be worker, provider or enterprise')
    expect(JSON.stringify(issues)).not.toContain('110101199003071234')
  })

  it('refuses a header without the required columns, or with both amount columns', () => {
    expect(parseDisbursementCsv('claim,payee_id\nclm-1,x\n').issues.map((i) => i.path)).toEqual([
      ['body', 1, 'payment_ref'],
      ['body', 1, 'payee_kind'],
      ['body', 1, 'amount_fen'],
    ])
    expect(
      parseDisbursementCsv('payment_ref,payee_kind,payee_id,amount_fen,amount_yuan\n').issues.map(
        (i) => i.code,
      ),
    ).toEqual(['ambiguous_amount'])
    expect(parseDisbursementCsv('').issues.map((i) => i.code)).toEqual(['empty'])
    expect(
      parseDisbursementCsv('payment_ref,payee_kind,payee_id,amount_fen\n"PAY,provider,x,1\n').issues.map(
        (i) => i.code,
      ),
    ).toEqual(['unclosed_quote'])
  })
})

describe('reconciliation', () => {
  it('finds every planted unrecorded, double and missing disbursement in a generated finance file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(4),
        fc.nat(4),
        fc.nat(4),
        fc.constantFrom('fen' as const, 'yuan' as const),
        (seed, drop, unrecorded, duplicate, unit) => {
          const generated = generateRecord({ workers: 30, seed, faultRate: 0.25 })
          const events = envelopes(generated.appends)
          const payments = generated.workers.flatMap(
            (w) => foldWorkerCompliance(w, events, { rules: [testRuleSet] }).payments,
          )
          const record = payments.map(disbursementOfPayment)
          const file = financeFile(
            record.map((r) => ({ ...r })),
            { seed, drop, unrecorded, duplicate, unit },
          )
          const parsed = parseDisbursementCsv(file.csv)
          expect(parsed.issues).toEqual([])
          const report = reconcile(parsed.rows, record, { inScope: record })
          expect(report.unrecorded.map((u) => u.paymentRef).sort()).toEqual([...file.unrecorded].sort())
          expect(report.duplicateDisbursements.map((d) => d.paymentRef).sort()).toEqual(
            [...file.duplicated].sort(),
          )
          expect(report.notDisbursed.map((d) => d.event).sort()).toEqual([...file.dropped].sort())
          const paidTwice = new Set(
            generated.payments.filter((p) => p.fault === 'paid-twice').map((p) => p.claim),
          )
          expect(report.claimsPaidTwice.map((c) => c.claim).sort()).toEqual([...paidTwice].sort())
          expect(report.amountMismatches).toEqual([])
          expect(report.payeeMismatches).toEqual([])
        },
      ),
      { numRuns: 20 },
    )
  })

  const entry = {
    kind: 'subsidy' as const,
    event: 'e1',
    paymentRef: 'PAY-1',
    claim: 'clm-1',
    worker,
    class: 'cls-1',
    payee: { kind: 'provider', id: 'inst-1' },
    transfer: 100_000,
    paidOn: '2021-06-15',
  }
  const row = {
    line: 2,
    paymentRef: 'PAY-1',
    claim: 'clm-1',
    payeeKind: 'provider' as const,
    payeeId: 'inst-1',
    amount: 100_000,
  }

  it('reports an amount or payee that differs from the payment', () => {
    const report = reconcile([{ ...row, amount: 120_000, payeeId: 'inst-2' }], [entry])
    expect(report.amountMismatches).toEqual([
      { line: 2, paymentRef: 'PAY-1', event: 'e1', fileAmount: 120_000, recordAmount: 100_000 },
    ])
    expect(report.payeeMismatches).toHaveLength(1)
  })

  it('matches by claim when the reference differs, and says so', () => {
    const report = reconcile([{ ...row, paymentRef: 'BANK-77' }], [entry])
    expect(report.summary.matched).toBe(1)
    expect(report.referenceMismatches).toEqual([
      { line: 2, fileRef: 'BANK-77', recordRef: 'PAY-1', claim: 'clm-1', event: 'e1' },
    ])
  })

  it('reports a claim paid by two rows with different references, the second with no payment in the record', () => {
    const report = reconcile([row, { ...row, line: 3, paymentRef: 'PAY-9' }], [entry])
    expect(report.claimsPaidTwice).toMatchObject([{ claim: 'clm-1', source: 'file', lines: [2, 3] }])
    expect(report.unrecorded.map((u) => u.line)).toEqual([3])
    expect(report.duplicateDisbursements).toEqual([])
  })

  it('reports one payment disbursed by two rows', () => {
    const report = reconcile([row, { ...row, line: 5 }], [entry])
    expect(report.duplicateDisbursements).toEqual([
      { paymentRef: 'PAY-1', event: 'e1', lines: [2, 5], amount: 200_000 },
    ])
    expect(report.claimsPaidTwice).toEqual([])
  })
})
