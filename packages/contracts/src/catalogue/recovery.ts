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

export const recoveryWrittenOff = defineEvent({
  type: 'RecoveryWrittenOff',
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

export const recoveryEvents = [recoveryOpened, repaymentRecorded, recoveryWrittenOff] as const
