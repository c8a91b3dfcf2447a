import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  fenSchema,
  noteSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
} from '../primitives.ts'

// Money asked back followed to its return: one recovery account (`recovery-{recovery}`) per
// clawback (SubsidyClawedBack) and per advance shortfall (an advance larger than what the class
// earned). Finance records each repayment with the bank's reference; an officer may write off
// what cannot be recovered, with the reason. Status: due → partly_recovered → recovered, or
// written_off.

/** What a recovery asks back: a clawback of a claim, or what a class's advance overpaid. */
export const recoverySourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('clawback'),
    claim: entityIdSchema,
    /** The SubsidyClawedBack this recovers. */
    clawback: eventIdSchema,
  }),
  z.strictObject({
    kind: z.literal('advance_shortfall'),
    class: entityIdSchema,
    /** What was advanced, what the class's completed workers earned of it, in fen. */
    advanced: positiveFenSchema,
    earned: fenSchema,
  }),
])

export const recoveryOpened = defineEvent({
  type: 'RecoveryOpened',
  context: 'subsidy',
  category: 'recovery',
  key: 'recovery',
  summary:
    'A recovery account is opened for a clawback or an advance shortfall: who owes, how much, by when.',
  schema: z.strictObject({
    recovery: entityIdSchema,
    /** The region of the claim or class; finance and officers of it follow the account. */
    region: regionCodeSchema,
    source: recoverySourceSchema,
    /** Who owes it: the worker (by pseudonym) paid a clawed-back subsidy, or an institution. */
    debtor: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('worker'), id: pseudonymSchema }),
      z.strictObject({ kind: z.enum(['provider', 'enterprise']), id: entityIdSchema }),
    ]),
    /** The worker who owes it, when the debtor is a worker (so the worker's archive shows it). */
    worker: pseudonymSchema.optional(),
    amount: positiveFenSchema,
    dueOn: dateSchema,
  }),
})

export const repaymentRecorded = defineEvent({
  type: 'RepaymentRecorded',
  context: 'subsidy',
  category: 'recovery',
  key: 'recovery',
  summary: 'Finance records money repaid into a recovery account, with the bank’s reference.',
  schema: z.strictObject({
    recovery: entityIdSchema,
    /** The worker who owes it, when the debtor is a worker (so the worker's archive shows it). */
    worker: pseudonymSchema.optional(),
    amount: positiveFenSchema,
    /** The bank's reference for the incoming transfer; one repayment per reference. */
    bankRef: z.string().min(1).max(128),
    receivedOn: dateSchema,
    /** Repaid in all after this one, and what is still due. */
    recovered: positiveFenSchema,
    outstanding: fenSchema,
  }),
})

export const recoveryWriteOffRecorded = defineEvent({
  type: 'RecoveryWriteOffRecorded',
  context: 'subsidy',
  category: 'recovery',
  key: 'recovery',
  summary: 'An officer writes off what is still due on a recovery account, with the reason.',
  schema: z.strictObject({
    recovery: entityIdSchema,
    /** The worker who owed it, when the debtor is a worker. */
    worker: pseudonymSchema.optional(),
    amount: positiveFenSchema,
    reason: z.enum(['debtor_deceased', 'debtor_dissolved', 'uncollectable', 'waived_by_decision', 'other']),
    note: noteSchema.optional(),
  }),
})

export const recoveryEvents = [recoveryOpened, repaymentRecorded, recoveryWriteOffRecorded] as const

/** A recovery account and its history, as the worker's archive and compliance answer it (fen). */
export const recoveryHistorySchema = z
  .object({
    recovery: z.string(),
    claim: z.string().optional(),
    amount: z.int(),
    dueOn: z.string(),
    openedAt: z.string(),
    recovered: z.int(),
    writtenOff: z.int(),
    status: z.enum(['due', 'partly_recovered', 'recovered', 'written_off']),
    history: z.array(
      z.object({
        kind: z.enum(['repayment', 'write_off']),
        amount: z.int(),
        at: z.string(),
        bankRef: z.string().optional(),
        receivedOn: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
  })
  .meta({
    id: 'RecoveryHistory',
    description:
      'A recovery account the worker owes (a clawback followed to the money returned), with its repayments and write-off; amounts in fen.',
    example: {
      recovery: 'rcv-0c4d1e7a9b2f4c3e8f6a2b1c0d9e8f7a',
      claim: 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1',
      amount: 150000,
      dueOn: '2026-09-30',
      openedAt: '2026-06-01T02:00:00.000Z',
      recovered: 150000,
      writtenOff: 0,
      status: 'recovered',
      history: [
        {
          kind: 'repayment',
          amount: 100000,
          at: '2026-07-01T02:00:00.000Z',
          bankRef: 'ICBC-IN-1',
          receivedOn: '2026-07-01',
        },
        {
          kind: 'repayment',
          amount: 50000,
          at: '2026-07-02T02:00:00.000Z',
          bankRef: 'ICBC-IN-2',
          receivedOn: '2026-07-02',
        },
      ],
    },
  })
