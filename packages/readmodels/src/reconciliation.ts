import type { DisbursementRow } from './disbursement-csv.ts'

// 对账 (D0: 「通过建账、对账、交账、算账」) between the finance department's disbursements and the
// record (docs/domain.md §4, ledgers: reconcile with the finance side's files and guard against
// paying twice). A row is matched to the record by its payment reference, else by its claim. Found:
//   unrecorded            money went out with no payment in the record (补而未进, the breach)
//   duplicateDisbursements one payment disbursed by two or more rows
//   claimsPaidTwice       one claim paid by two payments (in the record, or two rows with different references)
//   amountMismatches      the row's amount is not what the payment transferred
//   payeeMismatches       the row pays someone other than the payment's payee
//   referenceMismatches   matched by claim only: the references differ
//   notDisbursed          payments in the record (in the file's scope) that no row pays

/** A transfer the record says finance made. */
export interface RecordDisbursement {
  kind: 'subsidy' | 'advance'
  /** The SubsidyPaid or AdvancePaid event's id. */
  event: string
  paymentRef: string
  claim: string | null
  worker: string | null
  class: string | null
  payee: { kind: string; id: string }
  /**
   * Fen transferred: a SubsidyPaid's amount less what the class's advance already paid
   * (AdvanceApplied), an AdvancePaid's amount.
   */
  transfer: number
  paidOn: string
}

export interface ReconciliationReport {
  summary: {
    rows: number
    matched: number
    unrecorded: number
    duplicateDisbursements: number
    claimsPaidTwice: number
    amountMismatches: number
    payeeMismatches: number
    referenceMismatches: number
    notDisbursed: number
    /** Fen in the file. */
    fileTotal: number
    /** Fen in rows that match a payment. */
    matchedTotal: number
  }
  unrecorded: {
    line: number
    paymentRef: string
    claim: string | null
    payee: { kind: string; id: string }
    amount: number
  }[]
  duplicateDisbursements: { paymentRef: string; event: string | null; lines: number[]; amount: number }[]
  claimsPaidTwice: {
    claim: string
    source: 'record' | 'file' | 'both'
    payments: { event: string; paymentRef: string }[]
    lines: number[]
  }[]
  amountMismatches: {
    line: number
    paymentRef: string
    event: string
    fileAmount: number
    recordAmount: number
  }[]
  payeeMismatches: {
    line: number
    paymentRef: string
    event: string
    filePayee: { kind: string; id: string }
    recordPayee: { kind: string; id: string }
  }[]
  referenceMismatches: { line: number; fileRef: string; recordRef: string; claim: string; event: string }[]
  notDisbursed: {
    event: string
    paymentRef: string
    claim: string | null
    transfer: number
    paidOn: string
  }[]
}

export interface ReconcileOptions {
  /**
   * The record's disbursements in the period and region the file covers, to find those no row
   * pays. Leave out when the file's scope is not known.
   */
  inScope?: readonly RecordDisbursement[]
}

/**
 * Reconciles file rows against `record`: the record's disbursements with a reference or claim
 * the file names (and any others the caller wants compared).
 */
export function reconcile(
  rows: readonly DisbursementRow[],
  record: readonly RecordDisbursement[],
  options: ReconcileOptions = {},
): ReconciliationReport {
  const byRef = new Map<string, RecordDisbursement>()
  const byClaim = new Map<string, RecordDisbursement[]>()
  const sorted = [...record].sort((a, b) => (a.event < b.event ? -1 : a.event > b.event ? 1 : 0))
  for (const r of sorted) {
    if (!byRef.has(r.paymentRef)) byRef.set(r.paymentRef, r)
    if (r.kind === 'subsidy' && r.claim !== null) byClaim.set(r.claim, [...(byClaim.get(r.claim) ?? []), r])
  }
  const report: ReconciliationReport = {
    summary: {
      rows: rows.length,
      matched: 0,
      unrecorded: 0,
      duplicateDisbursements: 0,
      claimsPaidTwice: 0,
      amountMismatches: 0,
      payeeMismatches: 0,
      referenceMismatches: 0,
      notDisbursed: 0,
      fileTotal: 0,
      matchedTotal: 0,
    },
    unrecorded: [],
    duplicateDisbursements: [],
    claimsPaidTwice: [],
    amountMismatches: [],
    payeeMismatches: [],
    referenceMismatches: [],
    notDisbursed: [],
  }
  const refsUsed = new Set(rows.map((r) => r.paymentRef))
  const matchedRows = new Map<string, DisbursementRow[]>()
  const unmatchedByRef = new Map<string, DisbursementRow[]>()
  for (const row of rows) {
    report.summary.fileTotal += row.amount
    let entry = byRef.get(row.paymentRef)
    if (!entry && row.claim !== null) {
      // Matched by claim: a payment of the claim whose own reference is not in the file.
      entry = byClaim.get(row.claim)?.find((r) => !refsUsed.has(r.paymentRef))
      if (entry)
        report.referenceMismatches.push({
          line: row.line,
          fileRef: row.paymentRef,
          recordRef: entry.paymentRef,
          claim: row.claim,
          event: entry.event,
        })
    }
    if (!entry) {
      report.unrecorded.push({
        line: row.line,
        paymentRef: row.paymentRef,
        claim: row.claim,
        payee: { kind: row.payeeKind, id: row.payeeId },
        amount: row.amount,
      })
      unmatchedByRef.set(row.paymentRef, [...(unmatchedByRef.get(row.paymentRef) ?? []), row])
      continue
    }
    report.summary.matched += 1
    report.summary.matchedTotal += row.amount
    matchedRows.set(entry.event, [...(matchedRows.get(entry.event) ?? []), row])
    if (row.amount !== entry.transfer)
      report.amountMismatches.push({
        line: row.line,
        paymentRef: row.paymentRef,
        event: entry.event,
        fileAmount: row.amount,
        recordAmount: entry.transfer,
      })
    if (row.payeeKind !== entry.payee.kind || row.payeeId !== entry.payee.id)
      report.payeeMismatches.push({
        line: row.line,
        paymentRef: row.paymentRef,
        event: entry.event,
        filePayee: { kind: row.payeeKind, id: row.payeeId },
        recordPayee: entry.payee,
      })
  }
  for (const [event, matched] of matchedRows)
    if (matched.length > 1)
      report.duplicateDisbursements.push({
        paymentRef: matched[0]!.paymentRef,
        event,
        lines: matched.map((r) => r.line),
        amount: matched.reduce((s, r) => s + r.amount, 0),
      })
  for (const [paymentRef, unmatched] of unmatchedByRef)
    if (unmatched.length > 1)
      report.duplicateDisbursements.push({
        paymentRef,
        event: null,
        lines: unmatched.map((r) => r.line),
        amount: unmatched.reduce((s, r) => s + r.amount, 0),
      })

  const twice = new Map<string, ReconciliationReport['claimsPaidTwice'][number]>()
  for (const [claim, payments] of byClaim)
    if (payments.length > 1)
      twice.set(claim, {
        claim,
        source: 'record',
        payments: payments.map((p) => ({ event: p.event, paymentRef: p.paymentRef })),
        lines: rows.filter((r) => r.claim === claim).map((r) => r.line),
      })
  const fileClaims = new Map<string, DisbursementRow[]>()
  for (const row of rows)
    if (row.claim !== null) fileClaims.set(row.claim, [...(fileClaims.get(row.claim) ?? []), row])
  for (const [claim, claimRows] of fileClaims)
    if (new Set(claimRows.map((r) => r.paymentRef)).size > 1) {
      const found = twice.get(claim)
      if (found) found.source = 'both'
      else
        twice.set(claim, {
          claim,
          source: 'file',
          payments: (byClaim.get(claim) ?? []).map((p) => ({ event: p.event, paymentRef: p.paymentRef })),
          lines: claimRows.map((r) => r.line),
        })
    }
  report.claimsPaidTwice = [...twice.values()].sort((a, b) => (a.claim < b.claim ? -1 : 1))

  if (options.inScope)
    for (const r of options.inScope)
      if (!matchedRows.has(r.event))
        report.notDisbursed.push({
          event: r.event,
          paymentRef: r.paymentRef,
          claim: r.claim,
          transfer: r.transfer,
          paidOn: r.paidOn,
        })

  const s = report.summary
  s.unrecorded = report.unrecorded.length
  s.duplicateDisbursements = report.duplicateDisbursements.length
  s.claimsPaidTwice = report.claimsPaidTwice.length
  s.amountMismatches = report.amountMismatches.length
  s.payeeMismatches = report.payeeMismatches.length
  s.referenceMismatches = report.referenceMismatches.length
  s.notDisbursed = report.notDisbursed.length
  return report
}

/** What the record says finance transferred for a payment (see `foldWorkerCompliance`). */
export function disbursementOfPayment(p: {
  payment: string
  paymentRef: string
  claim: string
  worker: string
  class: string | null
  payee: { kind: string; id: string }
  transfer: number
  paidOn: string
}): RecordDisbursement {
  return {
    kind: 'subsidy',
    event: p.payment,
    paymentRef: p.paymentRef,
    claim: p.claim,
    worker: p.worker,
    class: p.class,
    payee: p.payee,
    transfer: p.transfer,
    paidOn: p.paidOn,
  }
}
