import { z } from 'zod'
import { defineEvent, upcaster } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  fenSchema,
  noteSchema,
  occupationCodeSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  ruleSetRefSchema,
  skillLevelSchema,
  subsidyKindSchema,
  uniqueList,
  unitIntervalSchema,
} from '../primitives.ts'
import { sealedValueSchema } from '../sealed.ts'
import { reviewerSchema, sanctionCitationSchema } from './training.ts'

// The subsidy context, the gate of 「凡补必进、不进不补」 (D1, D3): claims, review, payment,
// the advance to providers and clawback (docs/domain.md §2 steps 11–12, §3).

/**
 * Who is paid: the worker (技能提升补贴, reimbursement), the provider (培训补贴 settled to the
 * 定点机构, the advance) or the enterprise (新型学徒制, D2 「给予企业」). A worker payee is named by
 * pseudonym, an organisation by its id.
 */
export const payeeSchema = z.strictObject({
  kind: z.enum(['worker', 'provider', 'enterprise']),
  id: entityIdSchema,
})

const workerPaysSelf = {
  check: (e: { worker: string; payee: { kind: string; id: string } }) =>
    e.payee.kind !== 'worker' || e.payee.id === e.worker,
  params: { message: 'a worker payee must be the worker the claim is for', path: ['payee', 'id'] },
}

export const subsidyClaimSubmitted = defineEvent({
  type: 'SubsidyClaimSubmitted',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'A subsidy is claimed for a worker, to be paid to the worker, the provider or the enterprise.',
  schema: z
    .strictObject({
      claim: entityIdSchema,
      worker: pseudonymSchema,
      region: regionCodeSchema,
      kind: subsidyKindSchema,
      payee: payeeSchema,
      amount: positiveFenSchema,
      class: entityIdSchema.optional(),
      certificate: entityIdSchema.optional(),
      // The four fields below were added to version 1 in place: no claim had been stored yet.
      /** The calendar day in China (UTC+8) the claim was made: the year counts for yearly caps. */
      claimedOn: dateSchema,
      /** The rule set in force for the claim's region on `claimedOn`; its payment is judged by it too. */
      ruleSet: ruleSetRefSchema,
      /**
       * What the claim is for, as the record shows it (the certificate, else the class's programme
       * in the 培训项目目录), never as the claimant states it: the once-per-occupation-and-level
       * and lower-level rules compare these across a worker's claims.
       */
      occupationCode: occupationCodeSchema.optional(),
      level: skillLevelSchema.optional(),
    })
    .refine(workerPaysSelf.check, workerPaysSelf.params),
})

export const subsidyClaimReviewed = defineEvent({
  type: 'SubsidyClaimReviewed',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'A claim is reviewed (补贴资金审核), by the authority or a third party on its behalf.',
  schema: z
    .strictObject({
      claim: entityIdSchema,
      worker: pseudonymSchema,
      reviewer: reviewerSchema,
      /** returned: sent back to the claimant for missing material (补正). */
      outcome: z.enum(['approved', 'rejected', 'returned']),
      approvedAmount: positiveFenSchema.optional(),
      reasons: z.array(noteSchema).max(50),
      ruleSet: ruleSetRefSchema,
    })
    .superRefine((r, ctx) => {
      if ((r.outcome === 'approved') !== (r.approvedAmount !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['approvedAmount'],
          message: 'an approval states the approved amount, and only an approval does',
        })
      if (r.outcome !== 'approved' && r.reasons.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['reasons'],
          message: 'a rejection or return gives its reasons',
        })
    }),
})

// The approval (审批) by the authority after review: a 第三方 may review (D0 「补贴资金审核」) but the
// decision to pay stays with the authority (docs/domain.md §4, "third-party reviews are kept separate
// from government approvals").
/**
 * An officer's review of an open claim whose institution came under a sanction (suspension or
 * delisting) after the claim was made: `continue` lets it go on to payment once the gate allows
 * (never while a suspension is in force, never after a delisting), `reject` rejects it.
 */
export const claimSanctionReviewed = defineEvent({
  type: 'ClaimSanctionReviewed',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'An officer reviews an open claim of a sanctioned institution: continue to payment, or reject.',
  schema: z.strictObject({
    claim: entityIdSchema,
    worker: pseudonymSchema,
    institution: entityIdSchema,
    /** The sanction that put the claim under review, as the institution's record holds it. */
    sanction: z.strictObject({
      kind: z.enum(['suspension', 'delisting']),
      from: dateSchema,
      to: dateSchema.optional(),
      citation: sanctionCitationSchema.optional(),
    }),
    outcome: z.enum(['continue', 'reject']),
    note: noteSchema,
  }),
})

export const subsidyClaimDecided = defineEvent({
  type: 'SubsidyClaimDecided',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'The authority approves a reviewed claim for an amount, or rejects it (审批).',
  schema: z
    .strictObject({
      claim: entityIdSchema,
      worker: pseudonymSchema,
      outcome: z.enum(['approved', 'rejected']),
      approvedAmount: positiveFenSchema.optional(),
      reasons: z.array(noteSchema).max(50),
      ruleSet: ruleSetRefSchema,
    })
    .superRefine((d, ctx) => {
      if ((d.outcome === 'approved') !== (d.approvedAmount !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['approvedAmount'],
          message: 'an approval states the approved amount, and only an approval does',
        })
      if (d.outcome === 'rejected' && d.reasons.length === 0)
        ctx.addIssue({ code: 'custom', path: ['reasons'], message: 'a rejection gives its reasons' })
    }),
})

// D2: 技能提升补贴 only for 「累计缴纳失业保险费12个月以上的企业职工」. The months come from the
// social-insurance system (金保, docs/domain.md §5.1), attested by an officer, never from the claim body.
export const contributionHistoryAttested = defineEvent({
  type: 'ContributionHistoryAttested',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'Months of unemployment-insurance contributions, as the social-insurance system reports them.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    /** Cumulative months of unemployment-insurance contributions (累计缴纳失业保险费月数). */
    months: z.int().min(0).max(1200),
    /** The day the social-insurance system's answer describes. */
    asOf: dateSchema,
    /** Insured as an employee of an enterprise (企业职工), not as a flexible or other insured person. */
    enterpriseEmployee: z.boolean(),
    /** The answering system and its reference for this query, so it can be looked up there. */
    source: z.strictObject({ system: entityIdSchema, ref: z.string().min(1).max(128) }),
  }),
})

export const subsidyPaid = defineEvent({
  type: 'SubsidyPaid',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'A subsidy is paid, naming the evidence events and the rule-set version it was decided on.',
  schema: z
    .strictObject({
      claim: entityIdSchema,
      worker: pseudonymSchema,
      amount: positiveFenSchema,
      payee: payeeSchema,
      /**
       * Where a worker is paid: the financial account of their social-security card (持卡领补,
       * D3) or a bank card, sealed. Organisations are paid to the account the finance system
       * holds for them.
       */
      account: z
        .strictObject({
          kind: z.enum(['ssc_card', 'bank_card']),
          bankAccount: sealedValueSchema,
          /**
           * The pseudonym of the account number (as card numbers are pseudonymised), when the
           * finance system gives it: payments into one account for several people can then be
           * linked without unsealing it (fraud rule R12). Added later, optional.
           */
          pseudonym: pseudonymSchema.optional(),
        })
        .optional(),
      /**
       * The events the payment was decided on (enrolment, identity check, face checks,
       * completion, certificate): an auditor checks each was in the log before this one.
       */
      evidence: uniqueList(eventIdSchema).min(1).max(10_000),
      ruleSet: ruleSetRefSchema,
      fundSource: z
        .enum([
          'employment_subsidy_fund', // 就业补助资金
          'unemployment_insurance_fund', // 失业保险基金
          'skills_upgrade_account', // 职业技能提升行动专账结余资金
        ])
        .optional(),
      /** The finance system's reference for the transfer. */
      paymentRef: z.string().min(1).max(128),
    })
    .refine(workerPaysSelf.check, workerPaysSelf.params)
    .refine((p) => p.payee.kind !== 'worker' || p.account !== undefined, {
      message: 'a payment to a worker names the (sealed) account it went to',
      path: ['account'],
    }),
})

// D3: 「对培训主体组织开展补贴性培训的,可先行拨付不低于50%的培训补贴资金,具体比例由市级财政部门、
// 人力资源和社会保障部门确定」. The share is the city's rule; the floor of one half is the seed's.
const advancePaidFields = {
  class: entityIdSchema,
  /** The institution paid: the class's provider, or the enterprise of an apprenticeship class. */
  provider: entityIdSchema,
  /** The subsidy the class is expected to earn in full. */
  subsidyTotal: positiveFenSchema,
  share: unitIntervalSchema.min(0.5, 'the advance is at least half of the subsidy (D3)'),
  amount: positiveFenSchema,
  ruleSet: ruleSetRefSchema,
  paymentRef: z.string().min(1).max(128),
}

const advanceAmountExact = {
  check: (a: { amount: number; subsidyTotal: number; share: number }) =>
    Math.abs(a.amount - a.subsidyTotal * a.share) < 1,
  params: { message: 'amount must be subsidyTotal × share, to the fen', path: ['amount'] },
}

export const advancePaid = defineEvent({
  type: 'AdvancePaid',
  version: 2,
  context: 'subsidy',
  category: 'advance',
  key: 'class',
  summary:
    'Part of a class’s subsidy (≥ 50%, D3) is advanced to its provider, or to the enterprise of an apprenticeship class (先行拨付).',
  // Version 2 names the kind advanced (新型学徒制 is advanced too); version 1 advanced only the
  // training subsidy and names none.
  schema: z
    .strictObject({
      ...advancePaidFields,
      /** The kind of subsidy advanced; the training subsidy when absent. */
      kind: subsidyKindSchema.optional(),
    })
    .refine(advanceAmountExact.check, advanceAmountExact.params),
  upcasters: [
    upcaster(
      1,
      z.strictObject(advancePaidFields).refine(advanceAmountExact.check, advanceAmountExact.params),
      (data) => data,
    ),
  ],
})

// Final settlement 「培训主体完成培训任务后申领」 (D3): a provider's payment for one worker of a class
// is set against the class's advance first. The SubsidyPaid carries the whole subsidy earned
// (and its evidence); this records how much of it the advance had already paid, so cash paid
// = Σ AdvancePaid + Σ SubsidyPaid − Σ AdvanceApplied.
export const advanceApplied = defineEvent({
  type: 'AdvanceApplied',
  context: 'subsidy',
  category: 'advance',
  key: 'class',
  summary: 'Part of a class’s advance is set against a provider payment for one worker (settlement).',
  schema: z.strictObject({
    class: entityIdSchema,
    provider: entityIdSchema,
    claim: entityIdSchema,
    worker: pseudonymSchema,
    amount: positiveFenSchema,
    /** What of the class's advances is still unapplied after this one. */
    balance: fenSchema,
  }),
})

export const subsidyClawedBack = defineEvent({
  type: 'SubsidyClawedBack',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'A paid subsidy is recovered (追回), with why and on what evidence.',
  schema: z.strictObject({
    claim: entityIdSchema,
    worker: pseudonymSchema,
    amount: positiveFenSchema,
    reason: z.enum([
      'false_training', // 虚假培训
      'fraudulent_claim', // 套取骗取资金
      'duplicate_benefit', // 重复享受
      'certificate_revoked',
      'paid_in_error',
      'other',
    ]),
    /** The oversight case that found it, if any. */
    case: entityIdSchema.optional(),
    evidence: uniqueList(eventIdSchema).max(10_000),
    note: noteSchema.optional(),
  }),
})

// 公示 (NOT IN SEEDS, national practice; a rule set's `practice.publicationDays`): an approved claim
// is published, names masked, for the days the rule set gives; an objection filed in that time
// holds the claim until an officer rules on it. Upheld rejects the claim; dismissed lets it be paid
// once the period has passed.

/** An approved claim is published from `from` to `to` (both China days, inclusive). */
export const claimPublished = defineEvent({
  type: 'ClaimPublished',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'An approved claim is published (公示) for the days its rule set gives, names masked.',
  schema: z.strictObject({
    claim: entityIdSchema,
    worker: pseudonymSchema,
    from: dateSchema,
    to: dateSchema,
    ruleSet: ruleSetRefSchema,
  }),
})

/** An objection to a published claim, filed by an officer on behalf of whoever raised it. */
export const publicationObjectionFiled = defineEvent({
  type: 'PublicationObjectionFiled',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'An objection to a published claim is filed during its publication; the claim is held.',
  schema: z.strictObject({
    claim: entityIdSchema,
    worker: pseudonymSchema,
    objection: entityIdSchema,
    reason: noteSchema,
  }),
})

/** An officer's ruling on an objection to a published claim: upheld rejects the claim. */
export const publicationObjectionRuled = defineEvent({
  type: 'PublicationObjectionRuled',
  context: 'subsidy',
  category: 'subsidy',
  key: 'worker',
  summary: 'An officer rules on an objection to a published claim: upheld (rejected) or dismissed.',
  schema: z.strictObject({
    claim: entityIdSchema,
    worker: pseudonymSchema,
    objection: entityIdSchema,
    outcome: z.enum(['upheld', 'dismissed']),
    note: noteSchema,
  }),
})

export const subsidyEvents = [
  subsidyClaimSubmitted,
  subsidyClaimReviewed,
  subsidyClaimDecided,
  claimSanctionReviewed,
  claimPublished,
  publicationObjectionFiled,
  publicationObjectionRuled,
  contributionHistoryAttested,
  subsidyPaid,
  advancePaid,
  advanceApplied,
  subsidyClawedBack,
] as const
