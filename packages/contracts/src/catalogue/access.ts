import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import { entityIdSchema, instantSchema, pseudonymSchema, uniqueList } from '../primitives.ts'

// The access context: every read of a person's record is itself recorded, before the answer is
// sent (docs/architecture.md, "Identity and personal data"; docs/architecture.md, "Reads are recorded"). The
// log answers PIPL art. 51 and 55–56 record-keeping and GB/T 22239 「审计覆盖到每个用户」, and the
// fraud rules read it (reads without a case, one actor reading many subjects). Services that
// serve a person's data (the archive, oversight) append here; no one else writes it.

/** Why a record is read. Each purpose is tied to the roles that may invoke it by the reading service. */
export const accessPurposes = [
  'card_holder_request', // the card holder asks through card services (电子社保卡, 全国社会保障卡服务平台)
  'consented_disclosure', // disclosed to a third party on the holder's recorded consent (PIPL art. 13(1), 14)
  'fraud_case', // investigation of suspected 虚假培训, 套取骗取资金 (D3)
  'supervision_inspection', // 双随机 inspection, 培训中和培训后抽查 (D3 (二十六))
  'audit', // an auditor checking who read the record
  'administration', // an officer, reviewer, assessor or finance handling the worker's claim, payment or certificate
  'own_record', // the worker reads their own record, signed in with a real-name attestation (PIPL art. 45)
] as const

/**
 * Facts about the read that a reviewer should look at. `no_case_ref`: a fraud-case or inspection
 * read that names no case, allowed as break-glass access but marked for mandatory review
 * (docs/architecture.md, "Reads are recorded").
 */
export const accessFlags = ['no_case_ref'] as const

/**
 * What was read: the lifelong archive, the access log of the record itself, one of the worker's
 * claims, payments or certificates, or the worker's place on class rosters (a list of enrolments)
 * (each read of a person's data is an access event).
 */
export const accessViews = [
  'archive',
  'access_log',
  'claim',
  'payment',
  'certificates',
  'enrolment',
  'objections',
  'vouchers',
] as const

export const recordAccessed = defineEvent({
  type: 'RecordAccessed',
  context: 'access',
  category: 'access',
  key: 'worker',
  summary:
    'A person’s record is read: the view, purpose, case and request, recorded before the answer is sent.',
  // Who read is the envelope's actor (role as `kind`, the token's subject as `id`); when is its
  // `occurredAt`. The card number that was looked up is never here: only its pseudonym.
  schema: z
    .strictObject({
      worker: pseudonymSchema,
      view: z.enum(accessViews),
      purpose: z.enum(accessPurposes),
      /** The investigation, inspection or sampling run the read is for. */
      caseRef: entityIdSchema.optional(),
      /** The holder's recorded consent, for a consented disclosure. */
      consentRef: entityIdSchema.optional(),
      /** The past instant the archive was shown as of, when one was asked for. */
      asOf: instantSchema.optional(),
      /** The calling system (the token's client id). */
      client: z.string().min(1).max(128),
      /** The request id the answer carries, to tie the log to one HTTP exchange. */
      requestId: z.string().min(1).max(128),
      /** Whether the record held anything for the worker: a miss is a read too. */
      found: z.boolean(),
      flags: uniqueList(z.enum(accessFlags)).max(accessFlags.length),
    })
    .refine((a) => a.purpose !== 'consented_disclosure' || a.consentRef !== undefined, {
      message: 'a consented disclosure names the consent',
      path: ['consentRef'],
    }),
})

export const accessEvents = [recordAccessed] as const
