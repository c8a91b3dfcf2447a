import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import { identityMethods } from '../identity-attestation.ts'
import {
  entityIdSchema,
  instantSchema,
  noteSchema,
  pseudonymSchema,
  regionCodeSchema,
  sha256HexSchema,
} from '../primitives.ts'

// A worker's own view of their record (PIPL art. 44–46: to know, to read, to have corrected).
// A worker signs in with a signed real-name attestation, exchanged for a short-lived token
// (`WorkerSessionOpened`: the attestation is spent, so a second presentation is refused); with it
// they read their archive and who read it, and object (异议) to an entry. An objection lands in
// the queue of the officers of the entry's region and is answered on the record.

/** A worker session's id: `ws-` and the SHA-256 of the attestation's issuer and `jti`, so each is spent once. */
export const workerSessionIdSchema = z
  .string()
  .regex(/^ws-[0-9a-f]{40}$/, 'must be a worker session id: ws-{40 hex}')

export const objectionIdSchema = z
  .string()
  .regex(/^obj-[A-Za-z0-9][A-Za-z0-9_.:-]{0,59}$/, 'must be an objection id: obj-{id}')

/** What part of the archive an objection is about: a training, an assessment, a certificate, a payment. */
export const objectionEntryKinds = ['training', 'assessment', 'certificate', 'payment'] as const

export const objectionEntrySchema = z.strictObject({
  kind: z.enum(objectionEntryKinds),
  /** The entry's id as the archive shows it: the class, the assessment, the certificate, the claim. */
  id: entityIdSchema,
})

export const objectionDecisions = ['accepted', 'rejected'] as const

export const workerSessionOpened = defineEvent({
  type: 'WorkerSessionOpened',
  context: 'access',
  category: 'session',
  key: 'session',
  summary:
    'A worker signed in with a signed real-name attestation, which is spent: who vouched, how, and until when the token holds.',
  schema: z.strictObject({
    session: workerSessionIdSchema,
    worker: pseudonymSchema,
    /** The identity source and how it checked the person. */
    issuer: entityIdSchema,
    method: z.enum(identityMethods),
    /** SHA-256 of the attestation exactly as presented. */
    attestationSha256: sha256HexSchema,
    /** When the worker token issued for it expires. */
    expiresAt: instantSchema,
  }),
})

export const objectionFiled = defineEvent({
  type: 'ObjectionFiled',
  context: 'access',
  category: 'objection',
  key: 'objection',
  summary:
    'A worker objects (异议) to an entry of their archive, with their reason; officers of its region answer.',
  schema: z.strictObject({
    objection: objectionIdSchema,
    worker: pseudonymSchema,
    entry: objectionEntrySchema,
    reason: noteSchema,
    /**
     * The region whose officers answer: the entry's class's, as the archive holds it; for an entry
     * the archive places in no class (a certificate), the deployment's.
     */
    region: regionCodeSchema,
  }),
})

export const objectionAnswered = defineEvent({
  type: 'ObjectionAnswered',
  context: 'access',
  category: 'objection',
  key: 'objection',
  summary: 'An officer answers a worker’s objection on the record: accepted or rejected, with the reason.',
  schema: z.strictObject({
    objection: objectionIdSchema,
    worker: pseudonymSchema,
    decision: z.enum(objectionDecisions),
    reason: noteSchema,
  }),
})

export const workerViewEvents = [workerSessionOpened, objectionFiled, objectionAnswered] as const
