import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  fenSchema,
  noteSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
} from '../primitives.ts'
import { sealedValueSchema } from '../sealed.ts'
import { payeeSchema } from './subsidy.ts'

// The money followed to the bank and back: the worker's social-security
// card account (持卡领补, D3) as the card service registers it, the payment batches finance sends
// to the paying bank, the bank's return file (回盘) line by line, and what becomes of a failed
// line (re-issued in a later batch, or cancelled).

/** The account of a worker's social-security card, sealed under the worker's data key. */
export const cardAccountSchema = z.strictObject({
  kind: z.literal('ssc_card'),
  /** Sealed at the field path `account.bankAccount`: it is copied as is into the payment. */
  bankAccount: sealedValueSchema,
})

export const cardAccountRegistered = defineEvent({
  type: 'CardAccountRegistered',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary:
    'The card service registers the bank account of a worker’s social-security card (持卡领补), sealed.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    account: cardAccountSchema,
    /** The bank that holds the card's financial account (its code in the card system). */
    bank: entityIdSchema,
    /** The card's issuing region (the first six digits of the card number). */
    issuedIn: regionCodeSchema,
    /** The card system's reference for this registration, so it can be looked up there. */
    source: z.strictObject({ system: entityIdSchema, ref: entityIdSchema }),
  }),
})

/** One transfer of a batch: a payment's cash part to its payee. */
export const paymentLineSchema = z.strictObject({
  /** 1, 2, … in the batch. */
  line: z.int().min(1).max(100_000),
  claim: entityIdSchema,
  worker: pseudonymSchema,
  payee: payeeSchema,
  /** Fen to transfer: the payment less what the class's advance already paid. */
  amount: positiveFenSchema,
  /** The transfer's reference, `{batch}/{line}`: the bank echoes it in its return. */
  paymentRef: z.string().min(1).max(128),
  /** A worker is paid only to their card's account; an organisation to the account finance holds. */
  account: cardAccountSchema.optional(),
  /** The failed line of an earlier batch this line pays again. */
  reissues: z.strictObject({ batch: entityIdSchema, line: z.int().min(1) }).optional(),
  /** The training voucher (电子培训券) redeemed for the claim's class that this line settles. */
  voucher: entityIdSchema.optional(),
})

export const paymentBatchIssued = defineEvent({
  type: 'PaymentBatchIssued',
  context: 'subsidy',
  category: 'paybatch',
  key: 'batch',
  summary: 'Approved payments go to the paying bank as one batch of transfers (the batch file’s lines).',
  schema: z
    .strictObject({
      batch: entityIdSchema,
      region: regionCodeSchema,
      issuedOn: dateSchema,
      lines: z.array(paymentLineSchema).min(1).max(100_000),
      /** Fen: the sum of the lines. */
      total: positiveFenSchema,
    })
    .refine((b) => b.lines.every((l, i) => l.line === i + 1), {
      message: 'lines are numbered 1, 2, … in order',
      path: ['lines'],
    })
    .refine((b) => b.lines.reduce((s, l) => s + l.amount, 0) === b.total, {
      message: 'total must be the sum of the lines, to the fen',
      path: ['total'],
    })
    .refine((b) => b.lines.every((l) => l.payee.kind !== 'worker' || l.account !== undefined), {
      message: 'a line paying a worker names the worker’s card account',
      path: ['lines'],
    }),
})

/** Why the bank could not pay a line: its code and its words. */
export const bankReasonSchema = z.strictObject({ code: entityIdSchema, text: noteSchema.max(200) })

export const bankReturnRecorded = defineEvent({
  type: 'BankReturnRecorded',
  context: 'subsidy',
  category: 'paybatch',
  key: 'batch',
  summary:
    'The paying bank’s return file (回盘) for a batch: each line paid, or failed with the bank’s reason.',
  schema: z.strictObject({
    batch: entityIdSchema,
    /** The bank's reference for its return file. */
    returnRef: entityIdSchema,
    receivedOn: dateSchema,
    lines: z
      .array(
        z
          .strictObject({
            line: z.int().min(1),
            outcome: z.enum(['paid', 'failed']),
            amount: positiveFenSchema,
            /** The bank's transaction reference for a paid line. */
            bankRef: entityIdSchema.optional(),
            reason: bankReasonSchema.optional(),
          })
          .refine((l) => (l.outcome === 'failed') === (l.reason !== undefined), {
            message: 'a failed line gives the bank’s reason, and only a failed line does',
            path: ['reason'],
          }),
      )
      .min(1)
      .max(100_000),
    /** Fen the bank paid, and fen it failed to pay, in this return. */
    paid: fenSchema,
    failed: fenSchema,
  }),
})

export const paymentLineReissued = defineEvent({
  type: 'PaymentLineReissued',
  context: 'subsidy',
  category: 'paybatch',
  key: 'batch',
  summary: 'A failed line is paid again in a later batch, to the account registered now.',
  schema: z.strictObject({
    batch: entityIdSchema,
    line: z.int().min(1),
    to: z.strictObject({ batch: entityIdSchema, line: z.int().min(1) }),
    amount: positiveFenSchema,
  }),
})

export const paymentLineCancelled = defineEvent({
  type: 'PaymentLineCancelled',
  context: 'subsidy',
  category: 'paybatch',
  key: 'batch',
  summary: 'A failed line is given up: its money stays in the fund, with the reason.',
  schema: z.strictObject({
    batch: entityIdSchema,
    line: z.int().min(1),
    amount: positiveFenSchema,
    reason: noteSchema,
  }),
})

export const paymentBatchEvents = [
  cardAccountRegistered,
  paymentBatchIssued,
  bankReturnRecorded,
  paymentLineReissued,
  paymentLineCancelled,
] as const
