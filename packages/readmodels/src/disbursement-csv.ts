import { entityIdSchema, pseudonymSchema } from '@trec/contracts'
import type { Issue } from '@trec/core'

// The finance department's disbursement file (资金拨付明细), as CSV (RFC 4180): UTF-8, an optional
// byte-order mark, fields separated by commas, quoted with double quotes where they hold a comma,
// a quote or a line break, lines ending in CRLF or LF. The first line names the columns (any
// order, case-insensitive); columns not listed here are ignored and reported.
//
// | column        | required | value                                                                   |
// | ------------- | -------- | ----------------------------------------------------------------------- |
// | `payment_ref` | yes      | the finance system's transfer reference (SubsidyPaid/AdvancePaid.paymentRef) |
// | `claim`       | no       | the claim id the transfer pays; empty for an advance to a provider       |
// | `payee_kind`  | yes      | `worker`, `provider` or `enterprise`                                      |
// | `payee_id`    | yes      | the worker's pseudonym (32 hex), or the institution or enterprise id     |
// | `amount_fen`  | one of   | the amount transferred in fen, a positive integer                        |
// | `amount_yuan` | the two  | the amount in yuan with at most two decimals (`1234.5`, `1234.50`)       |
//
// Every line is checked; each problem names the line (1 = the header) and the column by number and
// name. Messages never quote a cell: a finance file can hold personal data.

export interface DisbursementRow {
  /** The line the row starts on (1 is the header). */
  line: number
  paymentRef: string
  claim: string | null
  payeeKind: 'worker' | 'provider' | 'enterprise'
  payeeId: string
  /** Fen. */
  amount: number
}

export interface ParsedDisbursements {
  rows: DisbursementRow[]
  issues: Issue[]
  /** Columns in the header that the format does not define. */
  ignoredColumns: string[]
}

export const disbursementColumns = [
  'payment_ref',
  'claim',
  'payee_kind',
  'payee_id',
  'amount_fen',
  'amount_yuan',
] as const

export interface ParseOptions {
  maxRows?: number
  /** Stop collecting problems after this many (the file is refused either way). */
  maxIssues?: number
}

/** Splits CSV text into records, each with the line it starts on. Unclosed quotes are a problem. */
export function csvRecords(text: string): { records: { line: number; fields: string[] }[]; issues: Issue[] } {
  const records: { line: number; fields: string[] }[] = []
  const issues: Issue[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  let fields: string[] = []
  let field = ''
  let start = 1
  let quoted = false
  let wasQuoted = false
  const endField = () => {
    fields.push(field)
    field = ''
    wasQuoted = false
  }
  const endRecord = () => {
    endField()
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields })
    fields = []
  }
  for (; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else {
        if (ch === '\n') line++
        field += ch
      }
      continue
    }
    if (ch === '"') {
      if (field !== '' || wasQuoted)
        issues.push({
          path: ['body', line, fields.length + 1],
          code: 'invalid_quote',
          message: `line ${line}, column ${fields.length + 1}: a quote inside an unquoted field (RFC 4180 §2.5)`,
        })
      quoted = true
      wasQuoted = true
    } else if (ch === ',') endField()
    else if (ch === '\r' && text[i + 1] === '\n') {
      // CRLF: the LF ends the record
    } else if (ch === '\n') {
      endRecord()
      line++
      start = line
    } else field += ch
  }
  if (quoted)
    issues.push({
      path: ['body', start],
      code: 'unclosed_quote',
      message: `line ${start}: a quoted field is not closed before the end of the file`,
    })
  else endRecord()
  return { records, issues }
}

const payeeKinds = new Set(['worker', 'provider', 'enterprise'])

/** Parses and checks a disbursement file; the rows are usable only when `issues` is empty. */
export function parseDisbursementCsv(text: string, options: ParseOptions = {}): ParsedDisbursements {
  const maxRows = options.maxRows ?? 500_000
  const maxIssues = options.maxIssues ?? 200
  const { records, issues } = csvRecords(text)
  const rows: DisbursementRow[] = []
  const header = records[0]
  if (!header) {
    issues.push({
      path: ['body', 1],
      code: 'empty',
      message: 'line 1: the file is empty; it needs a header line',
    })
    return { rows, issues, ignoredColumns: [] }
  }
  const names = header.fields.map((f) => f.trim().toLowerCase())
  const index = new Map<string, number>()
  const ignoredColumns: string[] = []
  names.forEach((name, i) => {
    if (index.has(name))
      issues.push({
        path: ['body', 1, name],
        code: 'duplicate_column',
        message: `line 1, column ${i + 1} (${name}): the column is named twice`,
      })
    else if ((disbursementColumns as readonly string[]).includes(name)) index.set(name, i)
    else ignoredColumns.push(name)
  })
  for (const required of ['payment_ref', 'payee_kind', 'payee_id'])
    if (!index.has(required))
      issues.push({
        path: ['body', 1, required],
        code: 'missing_column',
        message: `line 1: the column ${required} is missing`,
      })
  const amountColumn = index.has('amount_fen')
    ? 'amount_fen'
    : index.has('amount_yuan')
      ? 'amount_yuan'
      : undefined
  if (amountColumn === undefined)
    issues.push({
      path: ['body', 1, 'amount_fen'],
      code: 'missing_column',
      message: 'line 1: one of amount_fen or amount_yuan is needed',
    })
  else if (index.has('amount_fen') && index.has('amount_yuan'))
    issues.push({
      path: ['body', 1, 'amount_yuan'],
      code: 'ambiguous_amount',
      message: 'line 1: give amount_fen or amount_yuan, not both',
    })
  if (records.length - 1 > maxRows)
    issues.push({ path: ['body'], code: 'too_many_rows', message: `the file has more than ${maxRows} rows` })
  if (issues.length > 0) return { rows, issues, ignoredColumns }

  for (const { line, fields } of records.slice(1)) {
    if (issues.length >= maxIssues) break
    const problem = (column: string, code: string, message: string) =>
      issues.push({
        path: ['body', line, column],
        code,
        message: `line ${line}, column ${index.get(column)! + 1} (${column}): ${message}`,
      })
    if (fields.length !== names.length) {
      issues.push({
        path: ['body', line],
        code: 'field_count',
        message: `line ${line}: ${fields.length} fields where the header has ${names.length}`,
      })
      continue
    }
    const cell = (column: string) => (index.has(column) ? fields[index.get(column)!]!.trim() : '')
    const before = issues.length
    const paymentRef = cell('payment_ref')
    if (paymentRef === '' || paymentRef.length > 128)
      problem('payment_ref', 'invalid_reference', 'must be a reference of 1 to 128 characters')
    const claim = cell('claim')
    if (claim !== '' && !entityIdSchema.safeParse(claim).success)
      problem('claim', 'invalid_claim', 'must be a claim id (1–64 of A–Z a–z 0–9 _ . : -) or empty')
    const payeeKind = cell('payee_kind').toLowerCase()
    if (!payeeKinds.has(payeeKind))
      problem('payee_kind', 'invalid_payee_kind', 'must be worker, provider or enterprise')
    const payeeId = cell('payee_id')
    if (payeeKind === 'worker' && !pseudonymSchema.safeParse(payeeId).success)
      problem(
        'payee_id',
        'invalid_pseudonym',
        'a worker payee is named by pseudonym: 32 lowercase hex characters',
      )
    else if (payeeKind !== 'worker' && !entityIdSchema.safeParse(payeeId).success)
      problem(
        'payee_id',
        'invalid_payee_id',
        'must be an institution or enterprise id (1–64 of A–Z a–z 0–9 _ . : -)',
      )
    const amount = amountColumn === 'amount_fen' ? fen(cell('amount_fen')) : fenOfYuan(cell('amount_yuan'))
    if (amount === undefined)
      problem(
        amountColumn!,
        'invalid_amount',
        amountColumn === 'amount_fen'
          ? 'must be a positive whole number of fen'
          : 'must be a positive amount of yuan with at most two decimals, without separators',
      )
    if (issues.length === before)
      rows.push({
        line,
        paymentRef,
        claim: claim === '' ? null : claim,
        payeeKind: payeeKind as DisbursementRow['payeeKind'],
        payeeId,
        amount: amount!,
      })
  }
  return { rows, issues: issues.slice(0, maxIssues), ignoredColumns }
}

function fen(text: string): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined
  const n = Number(text)
  return n > 0 && Number.isSafeInteger(n) ? n : undefined
}

/** Yuan to fen exactly, from the digits: never through a float (0.1 + 0.2 is not 0.3). */
function fenOfYuan(text: string): number | undefined {
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  return n > 0 && Number.isSafeInteger(n) ? n : undefined
}
