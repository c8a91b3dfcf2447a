import type { CitedEvidence } from './payment-backing.ts'
import { complianceWorkerTypes, type PaymentRecord } from './worker-compliance.ts'

// A payment record as the compliance read model keeps it. A payment cites a dozen events or more,
// and each cited event as an object (id, type, present, before the payment) was most of a stored
// record: it is kept as one string, `id|type|flags` (the type as its index in
// `complianceWorkerTypes`, empty when the event is not in the record; flags 1 present, 2 before
// the payment), and given back whole by `paymentRecordOf`. Change it with a version of the read
// model's tables.

export type StoredPaymentRecord = Omit<PaymentRecord, 'cited'> & { cited: string[] }

const code = new Map<string, number>(complianceWorkerTypes.map((t, i) => [t, i]))

export function storedPaymentRecord(record: PaymentRecord): StoredPaymentRecord {
  return {
    ...record,
    cited: record.cited.map((c) => {
      // A type the fold does not read cannot be cited from the worker's record; kept by name all the same.
      const type = c.type === null ? '' : (code.get(c.type)?.toString() ?? `=${c.type}`)
      return `${c.id}|${type}|${(c.present ? 1 : 0) + (c.beforePayment ? 2 : 0)}`
    }),
  }
}

/** The payment record a stored one (`storedPaymentRecord`) was made from. */
export function paymentRecordOf(stored: StoredPaymentRecord): PaymentRecord {
  return {
    ...stored,
    cited: stored.cited.map((text): CitedEvidence => {
      // From the end: the id is whatever comes before the last two bars.
      const last = text.lastIndexOf('|')
      const middle = text.lastIndexOf('|', last - 1)
      const [id, type, f] = [text.slice(0, middle), text.slice(middle + 1, last), Number(text.slice(last + 1))]
      return {
        id,
        type: type === '' ? null : type.startsWith('=') ? type.slice(1) : complianceWorkerTypes[Number(type)]!,
        present: (f & 1) !== 0,
        beforePayment: (f & 2) !== 0,
      }
    }),
  }
}
