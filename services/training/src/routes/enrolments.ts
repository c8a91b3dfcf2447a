import { entityIdSchema, instantSchema, type SealedValue } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertInstitution, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import { appendDecision } from '../append.ts'
import type { EnrolCommand, IdentityReport } from '../domain/enrolment.ts'
import { violation } from '../domain/rules.ts'
import { workerDecider } from '../domain/worker.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import {
  existingClass,
  type LoadedClass,
  loadClass,
  loadInstitution,
  loadWorker,
  streamOf,
} from '../streams.ts'
import { classParams } from './schemas.ts'

// Enrolment with real-name verification. The card number, name and phone arrive in the body
// only; the card number becomes the pseudonym that names the worker's stream, and the three are
// sealed under the worker's data key before they go into the WorkerEnrolled event.
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

const enrolmentBody = z
  .strictObject({
    cardNumber: cardNumberSchema,
    name: z.string().trim().min(1).max(100),
    phone: z.string().regex(/^\+?[0-9][0-9 -]{4,24}$/, 'must be a phone number'),
    voucher: entityIdSchema.optional(),
    identity: identityBody,
  })
  .meta({ id: 'EnrolWorkerRequest' })

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
      const { cardNumber, name, phone, voucher, identity: reported } = request.body
      const worker = ctx.pseudonyms.pseudonym(cardNumber)
      const training = streamOf.training(worker)
      const now = ctx.now()
      const identity: IdentityReport = {
        method: reported.method,
        platform: reported.platform,
        platformRef: reported.platformRef,
        verifiedAt: reported.verifiedAt,
        result: reported.result === 'passed' ? 'verified' : (reported.failure ?? 'mismatch'),
      }
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
        const { ids, streams } = await appendDecision(
          ctx.store,
          async () => {
            const loaded = await loadWorker(ctx.store, worker)
            const command = { kind: 'record-failed-check' as const, class: classId, ...base }
            const events = workerDecider.decide(command, loaded.state)
            return { events, revisions: { [training]: loaded.revision }, meta: metaOf(first) }
          },
          nextId,
        )
        const revision = streams[training]?.revision
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

      let personal: EnrolCommand['personal'] | undefined
      const { ids, streams } = await appendDecision(
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
        nextId,
      )
      return reply.code(201).send({
        worker,
        ids,
        revision: streams[training]!.revision,
        classRevision: streams[streamOf.class(classId)]!.revision,
      })
    },
  )
}
