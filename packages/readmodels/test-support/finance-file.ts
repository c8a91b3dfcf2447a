import { prng } from './generate.ts'

// A finance department's disbursement file for a generated record, with planted differences:
// some payments left out (not disbursed), some rows with no payment in the record (补而未进),
// some payments disbursed twice. Says which, so a test can check reconciliation finds each.

export interface FinanceFileOptions {
  seed?: number
  /** Payments left out of the file. */
  drop?: number
  /** Rows added that pay nothing in the record. */
  unrecorded?: number
  /** Payments whose row appears twice. */
  duplicate?: number
  /** Amount column: fen or yuan (default yuan). */
  unit?: 'fen' | 'yuan'
}

export interface FinanceFile {
  csv: string
  dropped: string[]
  /** Payment references of the rows that pay nothing in the record. */
  unrecorded: string[]
  /** Payment references disbursed twice. */
  duplicated: string[]
}

interface Paid {
  event: string
  paymentRef: string
  claim: string | null
  payee: { kind: string; id: string }
  transfer: number
}

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`

export function financeFile(paid: readonly Paid[], options: FinanceFileOptions = {}): FinanceFile {
  const rand = prng(options.seed ?? 7)
  const unit = options.unit ?? 'yuan'
  const pick = (from: Paid[], n: number) => {
    const out: Paid[] = []
    while (out.length < n && from.length > 0) out.push(from.splice(Math.floor(rand() * from.length), 1)[0]!)
    return out
  }
  const pool = [...paid]
  const dropped = pick(pool, options.drop ?? 0)
  const duplicated = pick([...pool], options.duplicate ?? 0)
  const rows = pool.map((p) => ({ ...p }))
  for (const d of duplicated) rows.splice(Math.floor(rand() * (rows.length + 1)), 0, { ...d })
  const unrecorded: string[] = []
  for (let i = 0; i < (options.unrecorded ?? 0); i++) {
    const ref = `GHOST-${i}-${Math.floor(rand() * 1e9)}`
    unrecorded.push(ref)
    rows.splice(Math.floor(rand() * (rows.length + 1)), 0, {
      event: '',
      paymentRef: ref,
      claim: `clm-ghost-${i}`,
      payee: { kind: 'provider', id: 'inst-130100-0042' },
      transfer: 200_000,
    })
  }
  const header = `payment_ref,claim,payee_kind,payee_id,${unit === 'fen' ? 'amount_fen' : 'amount_yuan'}`
  const lines = rows.map(
    (r) =>
      `${r.paymentRef},${r.claim ?? ''},${r.payee.kind},${r.payee.id},${unit === 'fen' ? r.transfer : yuan(r.transfer)}`,
  )
  return {
    csv: `${[header, ...lines].join('\r\n')}\r\n`,
    dropped: dropped.map((d) => d.event),
    unrecorded,
    duplicated: duplicated.map((d) => d.paymentRef),
  }
}
