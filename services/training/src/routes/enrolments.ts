import { handleMultiStreamCommand, type RuleViolation } from '@trec/command'
import { entityIdSchema, instantSchema, type SealedValue } from '@trec/contracts'
import { isTrecError, TrecError } from '@trec/core'
import { assertInstitution, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import { verifyAttestation } from '../attestation/verify-attestation.ts'
import type { EnrolCommand, IdentityReport } from '../domain/enrolment.ts'
import { violation } from '../domain/rules.ts'
import { chinaDate } from '../domain/time.ts'
import { workerDecider } from '../domain/worker.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import {
  existingClass,
  type LoadedClass,
  loadClass,
  loadInstitution,
  loadWorker,
  ruleSetInForceFor,
  streamOf,
} from '../streams.ts'
import { classParams } from './schemas.ts'

// Enrolment with real-name verification. The card number, name and phone arrive in the body
// only; the card number becomes the pseudonym that names the worker's stream, and the three are
// sealed under the worker's data key before they go into the WorkerEnrolled event.
//
// The check is either a signed attestation of an identity source the deployment trusts (verified
// against that source's pinned keys, then bound to the card number: its subject must be this
// worker's pseudonym; docs/identity-attestations.md), or a check the institution reports on its
// own word, which a rule set may refuse (`identity.requireAttestation`). A refused attestation is
// answered 422 with the reasons, also listed as errors of `body.attestation`; nothing is written.
//
// A failed check enrols no one but is recorded (IdentityVerified with result mismatch or
// not_found) and answered 422 TREC_IDENTITY_NOT_VERIFIED naming what was recorded: someone
// presenting a card that does not match is evidence an investigator needs (docs/domain.md §2 step 6).
// A passed check is recorded only with the enrolment it vouches for; when another rule refuses
// the enrolment, nothing at all is written.

const identityBody = z
  .strictObject({
    method: z.enum(['card_chip', 'face', 'ssc_platform']),
    /** The card reader or platform that answered. */
    platform: entityIdSchema,
    platformRef: z.string().min(1).max(128),
    result: z.enum(['passed', 'failed']),
    /** Why a check failed, when the platform says: the holder does not match (default), or no such holder. */
    failure: z.enum(['mismatch', 'not_found']).optional(),
    verifiedAt: instantSchema,
  })
  .refine((i) => i.failure === undefined || i.result === 'failed', {
    message: 'only a failed check has a failure',
    path: ['failure'],
  })

/** Compact JWS serialisation (RFC 7515 §7.1): three base64url parts. */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

const enrolmentBody = z
  .strictObject({
    cardNumber: cardNumberSchema,
    name: z.string().trim().min(1).max(100),
    phone: z.string().regex(/^\+?[0-9][0-9 -]{4,24}$/, 'must be a phone number'),
    voucher: entityIdSchema.optional(),
    /** The signed identity attestation (compact JWS) of a trusted source: docs/identity-attestations.md. */
    attestation: z
      .string()
      .max(16_384)
      .regex(compactJws, 'must be a compact JWS (header.payload.signature)')
      .optional(),
    /** A check the institution reports on its own word (no attestation); a failed one is recorded as evidence. */
    identity: identityBody.optional(),
  })
  .refine((b) => (b.attestation === undefined) !== (b.identity === undefined), {
    message: 'send either a signed attestation or the reported identity check, exactly one',
    path: ['attestation'],
  })
  .meta({ id: 'EnrolWorkerRequest' })

/** Reasons that concern the presented attestation, so the problem names that field. */
const attestationRules = new Set([
  'attestation-issuer',
  'attestation-signature',
  'attestation-claims',
  'attestation-expired',
  'attestation-method',
  'attestation-subject',
  'identity-check-reused',
  'identity-check-stale',
  'identity-check-in-future',
])

/** A refusal with the attestation's reasons also listed as errors of `body.attestation`. */
function namingAttestation(error: unknown): unknown {
  if (!isTrecError(error, 'TREC_RULE_FAILED')) return error
  const reasons = (error.details.reasons ?? []) as RuleViolation[]
  const issues = reasons
    .filter((r) => attestationRules.has(r.rule))
    .map((r) => ({ path: ['body', 'attestation'], code: r.rule, message: r.message }))
  if (issues.length === 0) return error
  return new TrecError('TREC_RULE_FAILED', error.message, { details: error.details, issues })
}

const refuseAttestation = (reasons: RuleViolation[]) =>
  namingAttestation(
    new TrecError('TREC_RULE_FAILED', reasons.map((r) => r.message).join('; '), { details: { reasons } }),
  )

const enrolled = z
  .object({
    worker: z.string().describe('The worker’s pseudonym: the card number is never answered.'),
    ids: z.array(z.string()),
    revision: z.int().describe('The revision of the worker’s training stream after the enrolment.'),
    classRevision: z.int().describe('The revision of the class’s stream after the enrolment.'),
  })
  .meta({
    id: 'EnrolmentAnswer',
    description: 'The enrolled worker’s pseudonym, the events appended and the revisions after them.',
    example: {
      worker: 'wkr_5f3c9a0e1b2d4c6e8f7a9b0c1d2e3f4a',
      ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f', '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e10'],
      revision: 1,
      classRevision: 5,
    },
  })

/** Stands in for the sealed fields while the rules are checked, so a refused enrolment makes no data key. */
const unsealed = { sealed: 'A256GCM', kid: 'unsealed', iv: '', ct: '' } as SealedValue

export function enrolmentRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/classes/:class/enrolments',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Enrol a worker after a real-name check (实名认证)',
        operationId: 'enrolWorker',
        description:
          'The institution’s staff enrol a worker, named by social-security card number in the body, after a real-name check. A failed check enrols no one but is recorded and answered 422 TREC_IDENTITY_NOT_VERIFIED. Answers the worker’s pseudonym, never the card number.',
        tags: ['training'],
        params: classParams,
        body: enrolmentBody,
        response: { 201: enrolled },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const classId = request.params.class
      const first = await existingClass(ctx.store, classId)
      const { institution, region } = first.state.application!
      assertInstitution(caller, institution)
      const { cardNumber, name, phone, voucher, identity: reported, attestation } = request.body
      const worker = ctx.pseudonyms.pseudonym(cardNumber)
      const training = streamOf.training(worker)
      const now = ctx.now()
      const identity = await identityOf(ctx, now, reported, attestation)
      // The check happened when the platform answered; everything else now.
      const metaOf = (cls: LoadedClass) => (event: { type: string }) =>
        metaFor(
          caller,
          region,
          event.type === 'IdentityVerified' ? identity.verifiedAt : now,
          cls.correlationId,
        )
      const nextId = commandEventIds(request)
      const base = { worker, identity, now: now.toISOString(), clockSkewMs: ctx.clockSkewMs }

      if (identity.result !== 'verified') {
        const { ids, streams } = await handleMultiStreamCommand(
          ctx.store,
          async () => {
            const loaded = await loadWorker(ctx.store, worker)
            const command = { kind: 'record-failed-check' as const, class: classId, ...base }
            const events = workerDecider.decide(command, loaded.state)
            return { events, revisions: { [training]: loaded.revision }, meta: metaOf(first) }
          },
          { nextId },
        )
        const revision = streams.get(training)?.revision
        throw new TrecError(
          'TREC_IDENTITY_NOT_VERIFIED',
          'the real-name check failed; the worker was not enrolled',
          {
            details: {
              reasons: [violation('identity-not-verified', `the check answered ${identity.result}`)],
              worker,
              recorded: revision === undefined ? { ids } : { ids, revision },
            },
          },
        )
      }

      // The rule set in force where the class runs, today, says whether a signed attestation is required.
      const ruleSet = await ruleSetInForceFor(ctx.store, region, chinaDate(now))
      const attestationRequiredBy = ruleSet?.identity?.requireAttestation
        ? { id: ruleSet.id, version: ruleSet.version }
        : undefined
      let personal: EnrolCommand['personal'] | undefined
      const { ids, streams } = await handleMultiStreamCommand(
        ctx.store,
        async () => {
          const [loaded, cls, owner] = await Promise.all([
            loadWorker(ctx.store, worker),
            loadClass(ctx.store, classId),
            loadInstitution(ctx.store, institution),
          ])
          // The worker's other classes, for their schedules; class schedules do not change once opened.
          const others = await Promise.all(
            loaded.state.enrolments
              .filter((e) => e.class !== classId)
              .map(async (e) => (await loadClass(ctx.store, e.class)).state),
          )
          const command = (sealed: EnrolCommand['personal']): EnrolCommand => ({
            kind: 'enrol',
            ...base,
            class: cls.state,
            institution: owner.state,
            otherClasses: others,
            personal: sealed,
            ...(voucher === undefined ? {} : { voucher }),
            identityMaxAgeMs: ctx.identityMaxAgeMs,
            ...(attestationRequiredBy ? { attestationRequiredBy } : {}),
          })
          if (!personal) {
            // Rules first: a refused enrolment must not create a data key for the worker.
            workerDecider.decide(
              command({ name: unsealed, idNumber: unsealed, phone: unsealed }),
              loaded.state,
            )
            personal = await ctx.keyRing.sealFields(worker, { name, idNumber: cardNumber, phone }, [
              'name',
              'idNumber',
              'phone',
            ])
          }
          return {
            events: workerDecider.decide(command(personal), loaded.state),
            revisions: { [training]: loaded.revision, [streamOf.class(classId)]: cls.revision },
            meta: metaOf(cls),
          }
        },
        { nextId },
      ).catch((error: unknown) => {
        throw attestation === undefined ? error : namingAttestation(error)
      })
      return reply.code(201).send({
        worker,
        ids,
        revision: streams.get(training)!.revision,
        classRevision: streams.get(streamOf.class(classId))!.revision,
      })
    },
  )
}

type ReportedCheck = z.output<typeof identityBody>

/** The check the enrolment rests on: a verified attestation (refused 422 naming `body.attestation`), or the report. */
async function identityOf(
  ctx: TrainingContext,
  now: Date,
  reported: ReportedCheck | undefined,
  attestation: string | undefined,
): Promise<IdentityReport> {
  if (attestation === undefined) {
    const r = reported!
    return {
      method: r.method,
      platform: r.platform,
      platformRef: r.platformRef,
      verifiedAt: r.verifiedAt,
      result: r.result === 'passed' ? 'verified' : (r.failure ?? 'mismatch'),
    }
  }
  const checked = await verifyAttestation(attestation, { issuers: ctx.identityIssuers, now })
  if (!checked.ok) throw refuseAttestation(checked.reasons)
  const { claims, record } = checked.attestation
  return {
    method: claims.method,
    platform: record.issuer,
    platformRef: claims.jti,
    verifiedAt: record.issuedAt,
    result: 'verified',
    attestation: { subject: claims.sub, record },
  }
}
