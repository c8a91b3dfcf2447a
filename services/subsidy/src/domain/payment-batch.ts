import { createHash } from 'node:crypto'
import type { EventData } from '@trec/contracts'

// Payment batches and the bank's return (回盘), pure: what a region's batches say of each line
// (open, paid, failed, re-issued, cancelled), the batch file finance sends to the paying bank, and
// the return file read back and checked line by line against its batch. The formats are in
// docs/payment-files.md; nothing here reads the store.

export type Issued = EventData<'PaymentBatchIssued'>
export type Returned = EventData<'BankReturnRecorded'>
export type LineOutcome = 'open' | 'paid' | 'failed' | 'reissued' | 'cancelled'

export interface BatchView {
  issued: Issued
  returned?: Returned
  /** What became of each line (1-based index). */
  outcome: Map<number, LineOutcome>
  /** The stream's last revision. */
  revision: number
}

/** Folds one batch's events (from its `paybatch-` stream) into what each line is now. */
export function batchView(events: readonly { type: string; data: unknown }[], revision: number): BatchView {
  let view: BatchView | undefined
  for (const e of events) {
    if (e.type === 'PaymentBatchIssued') {
      const issued = e.data as Issued
      view = { issued, outcome: new Map(issued.lines.map((l) => [l.line, 'open'])), revision }
    } else if (view && e.type === 'BankReturnRecorded') {
      const returned = e.data as Returned
      view.returned = returned
      for (const l of returned.lines) view.outcome.set(l.line, l.outcome)
    } else if (view && e.type === 'PaymentLineReissued')
      view.outcome.set((e.data as { line: number }).line, 'reissued')
    else if (view && e.type === 'PaymentLineCancelled')
      view.outcome.set((e.data as { line: number }).line, 'cancelled')
  }
  if (!view) throw new Error('a batch stream begins with PaymentBatchIssued')
  return view
}

/**
 * Claims a batch line holds now: sent and not yet returned, paid, or failed and not yet
 * re-issued or cancelled. Such a claim goes in no other batch.
 */
export function claimsHeld(batches: readonly BatchView[]): Map<string, { batch: string; line: number }> {
  const held = new Map<string, { batch: string; line: number }>()
  for (const b of batches)
    for (const l of b.issued.lines) {
      const o = b.outcome.get(l.line)
      if (o === 'open' || o === 'paid' || o === 'failed')
        held.set(l.claim, { batch: b.issued.batch, line: l.line })
    }
  return held
}

/** Fen as yuan with two decimals, as people read it: 150000 → "1500.00". */
export function yuan(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

/**
 * The batch file (docs/payment-files.md): a header, one transfer a line with the account opened
 * (`accounts` by line), and a trailer with the line count, the total and the SHA-256 of what
 * precedes it.
 */
export function batchFile(issued: Issued, accounts: ReadonlyMap<number, string>): string {
  const head = `TRECPAY,1,${issued.batch},${issued.region},${issued.issuedOn},${issued.lines.length},${issued.total},${yuan(issued.total)}\n`
  const body = issued.lines
    .map((l) => {
      const again = l.reissues ? `${l.reissues.batch}/${l.reissues.line}` : ''
      return `${l.line},${l.paymentRef},${accounts.get(l.line) ?? ''},${l.amount},${yuan(l.amount)},${l.claim},${again}\n`
    })
    .join('')
  return `${head}${body}END,${issued.lines.length},${issued.total},${sha256(head + body)}\n`
}

/** A problem with a return file: the file line it is on (1-based, 0 for the file as a whole). */
export interface ReturnProblem {
  fileLine: number
  /** The batch line the problem is about, when there is one. */
  batchLine?: number
  code:
    | 'format'
    | 'unknown_batch'
    | 'duplicate_line'
    | 'unknown_line'
    | 'missing_line'
    | 'amount_differs'
    | 'reference_differs'
    | 'trailer'
  message: string
}

type ReturnLine = Returned['lines'][number]

export interface ParsedReturn {
  batch: string
  returnRef: string
  receivedOn: string
  lines: (ReturnLine & { fileLine: number; paymentRef: string })[]
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/
const datePattern = /^\d{4}-\d{2}-\d{2}$/

function parseLine(
  text: string,
  fileLine: number,
  problems: ReturnProblem[],
): ParsedReturn['lines'][number] | undefined {
  const cells = text.split(',')
  const bad = (message: string) => {
    problems.push({ fileLine, code: 'format', message })
    return undefined
  }
  if (cells.length < 7)
    return bad('a line has 7 columns: line,payment_ref,amount_fen,outcome,bank_ref,reason_code,reason_text')
  const [lineText, paymentRef, amountText, outcome, bankRef, reasonCode] = cells as [string, ...string[]]
  const reasonText = cells.slice(6).join(',')
  const line = Number(lineText)
  const amount = Number(amountText)
  if (!/^[1-9]\d{0,5}$/.test(lineText)) return bad('line must be the batch line number (1, 2, …)')
  if (!/^[1-9]\d{0,14}$/.test(amountText ?? ''))
    return bad('amount_fen must be a whole number of fen above 0')
  if (outcome === 'PAID') {
    if (!idPattern.test(bankRef ?? ''))
      return bad('a PAID line gives the bank’s transaction reference in bank_ref')
    if (reasonCode !== '' || reasonText !== '') return bad('a PAID line gives no reason')
    return { fileLine, line, paymentRef: paymentRef ?? '', amount, outcome: 'paid', bankRef: bankRef! }
  }
  if (outcome === 'FAILED') {
    if (!idPattern.test(reasonCode ?? '')) return bad('a FAILED line gives the bank’s reason code')
    if (reasonText.length < 1 || reasonText.length > 200)
      return bad('a FAILED line gives the bank’s reason text (1 to 200 characters)')
    return {
      fileLine,
      line,
      paymentRef: paymentRef ?? '',
      amount,
      outcome: 'failed',
      reason: { code: reasonCode!, text: reasonText },
    }
  }
  return bad('outcome must be PAID or FAILED')
}

/** Reads a return file; every problem of form is collected, none is thrown. */
export function parseReturnFile(text: string): { parsed?: ParsedReturn; problems: ReturnProblem[] } {
  const problems: ReturnProblem[] = []
  const rows = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
  const head = rows[0]?.split(',') ?? []
  if (head.length !== 5 || head[0] !== 'TRECRET' || head[1] !== '1') {
    problems.push({
      fileLine: 1,
      code: 'format',
      message: 'the header is TRECRET,1,batch,return_ref,received_on',
    })
    return { problems }
  }
  const [, , batch, returnRef, receivedOn] = head as [string, string, string, string, string]
  if (!idPattern.test(returnRef))
    problems.push({
      fileLine: 1,
      code: 'format',
      message: 'return_ref must be the bank’s reference (letters, digits, _ . : -)',
    })
  if (!datePattern.test(receivedOn))
    problems.push({ fileLine: 1, code: 'format', message: 'received_on must be a date, YYYY-MM-DD' })
  const trailer = rows.at(-1)?.split(',') ?? []
  const lines: ParsedReturn['lines'] = []
  rows.slice(1, -1).forEach((row, i) => {
    const l = parseLine(row, i + 2, problems)
    if (l) lines.push(l)
  })
  const paid = lines.reduce((s, l) => s + (l.outcome === 'paid' ? l.amount : 0), 0)
  const failed = lines.reduce((s, l) => s + (l.outcome === 'failed' ? l.amount : 0), 0)
  if (
    rows.length < 2 ||
    trailer[0] !== 'END' ||
    trailer.length !== 4 ||
    Number(trailer[1]) !== rows.length - 2 ||
    Number(trailer[2]) !== paid ||
    Number(trailer[3]) !== failed
  )
    problems.push({
      fileLine: rows.length,
      code: 'trailer',
      message: `the last line is END,line_count,paid_fen,failed_fen: END,${rows.length - 2},${paid},${failed} for these lines`,
    })
  return { parsed: { batch, returnRef, receivedOn, lines }, problems }
}

/** The return against its batch: every batch line once, with its reference and amount. */
export function checkReturn(parsed: ParsedReturn, batch: BatchView | undefined): ReturnProblem[] {
  if (!batch) return [{ fileLine: 1, code: 'unknown_batch', message: `no batch ${parsed.batch}` }]
  const problems: ReturnProblem[] = []
  const seen = new Set<number>()
  const byLine = new Map(batch.issued.lines.map((l) => [l.line, l]))
  for (const l of parsed.lines) {
    const sent = byLine.get(l.line)
    const at = { fileLine: l.fileLine, batchLine: l.line }
    if (seen.has(l.line))
      problems.push({ ...at, code: 'duplicate_line', message: `line ${l.line} is returned twice` })
    else if (!sent) problems.push({ ...at, code: 'unknown_line', message: `the batch has no line ${l.line}` })
    else if (sent.paymentRef !== l.paymentRef)
      problems.push({
        ...at,
        code: 'reference_differs',
        message: `line ${l.line} was sent as ${sent.paymentRef}`,
      })
    else if (sent.amount !== l.amount)
      problems.push({
        ...at,
        code: 'amount_differs',
        message: `line ${l.line} was sent for ${yuan(sent.amount)} yuan, returned for ${yuan(l.amount)}`,
      })
    seen.add(l.line)
  }
  for (const line of byLine.keys())
    if (!seen.has(line))
      problems.push({
        fileLine: 0,
        batchLine: line,
        code: 'missing_line',
        message: `line ${line} is not in the return`,
      })
  return problems
}
