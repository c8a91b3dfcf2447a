import { handleCommand } from '@trec/command'
import {
  commandAnswerSchema,
  entityIdSchema,
  instantSchema,
  populationGroups,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  ruleSetRefSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import { findProgramme } from '../domain/catalogue.ts'
import { workerDecider } from '../domain/worker.ts'
import { findVoucher } from '../domain/worker-state.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { loadCatalogues, loadWorker, streamOf } from '../streams.ts'
import { appended, voucherParams } from './schemas.ts'

// 职业培训券 / 电子培训券 (D0, D3): a subsidy officer issues one to a worker named by card number
// (in the body, never in the URL), optionally to a population group under a rule set; the worker
// claims it (领取) through the social-security card service, redeems it at enrolment, and an
// officer lets it lapse once its validity has ended.

const issueBody = z
  .strictObject({
    cardNumber: cardNumberSchema,
    region: regionCodeSchema,
    /** For one programme (定向券); absent, for any programme of the region's catalogue. */
    programme: entityIdSchema.optional(),
    /** In fen; by default the programme's standard. */
    value: positiveFenSchema.optional(),
    /** By default now plus the configured validity. */
    validUntil: instantSchema.optional(),
    /** The population group the voucher is issued to, in an issue by group. */
    group: z.enum(populationGroups).optional(),
    /** The rule set whose terms the voucher carries. */
    ruleSet: ruleSetRefSchema.optional(),
  })
  .refine((b) => b.value !== undefined || b.programme !== undefined, {
    message: 'give a value, or a programme whose standard is the value',
    path: ['value'],
  })
  .meta({ id: 'IssueVoucherRequest' })

const expiryBody = z
  .strictObject({ worker: pseudonymSchema.optional(), cardNumber: cardNumberSchema.optional() })
  .refine((b) => (b.worker === undefined) !== (b.cardNumber === undefined), {
    message: 'name the worker by pseudonym or by card number, not both',
    path: ['worker'],
  })
  .meta({ id: 'ExpireVoucherRequest' })

const claimBody = z.strictObject({ cardNumber: cardNumberSchema }).meta({
  id: 'ClaimVoucherRequest',
  description: 'The card of the worker claiming the voucher.',
})

const voucherAnswer = commandAnswerSchema
  .extend({
    voucher: z.string().describe('The voucher issued.'),
    worker: z.string().describe('The worker’s pseudonym.'),
  })
  .meta({
    id: 'VoucherAnswer',
    description: 'The voucher issued, to whom (pseudonym), and the events appended.',
    example: {
      ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
      revision: 0,
      voucher: 'vch-01936f4e',
      worker: 'wkr_5f3c9a0e1b2d4c6e8f7a9b0c1d2e3f4a',
    },
  })

export function voucherRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/vouchers',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        summary: 'Issue a training voucher to a worker',
        operationId: 'issueVoucher',
        description:
          'A subsidy officer of the region issues a 职业培训券 to a worker named by card number in the body, for one programme or any of the region’s catalogue. Answers the voucher id and the worker’s pseudonym.',
        tags: ['training'],
        body: issueBody,
        response: { 201: voucherAnswer },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const { cardNumber, region, programme, value, validUntil, group, ruleSet } = request.body
      assertRegion(caller, region)
      const worker = ctx.pseudonyms.pseudonym(cardNumber)
      const programmeEntry = programme
        ? findProgramme(await loadCatalogues(ctx.store, region), programme)
        : undefined
      const now = ctx.now()
      const nextId = commandEventIds(request)
      const voucher = `vch-${nextId()}`
      const { ids, append } = await handleCommand(ctx.store, workerDecider, {
        stream: streamOf.training(worker),
        command: {
          kind: 'issue-voucher',
          voucher,
          worker,
          region,
          ...(programme === undefined ? {} : { programme }),
          ...(programmeEntry === undefined ? {} : { programmeEntry }),
          ...(value === undefined ? {} : { value }),
          ...(group === undefined ? {} : { group }),
          ...(ruleSet === undefined ? {} : { ruleSet }),
          validUntil: validUntil ?? new Date(now.getTime() + ctx.voucherValidityMs).toISOString(),
          now: now.toISOString(),
        },
        meta: metaFor(caller, region, now),
        nextId,
      })
      return reply.code(201).send({ voucher, worker, ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/vouchers/:voucher/expiry',
    {
      config: { auth: { roles: ['subsidy_officer', 'admin'] } },
      schema: {
        summary: 'Let a voucher lapse after its validity ended',
        operationId: 'expireVoucher',
        description:
          'A subsidy officer lets a voucher lapse once its validity has ended; the worker is named by pseudonym or card number.',
        tags: ['training'],
        params: voucherParams,
        body: expiryBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const id = request.params.voucher
      const worker = request.body.worker ?? ctx.pseudonyms.pseudonym(request.body.cardNumber!)
      const { state } = await loadWorker(ctx.store, worker)
      const voucher = findVoucher(state, id)
      if (!voucher)
        throw new TrecError('TREC_NOT_FOUND', `no voucher ${id} for this worker`, {
          details: { voucher: id },
        })
      assertRegion(caller, voucher.issued.region)
      const now = ctx.now()
      const { ids, append } = await handleCommand(ctx.store, workerDecider, {
        stream: streamOf.training(worker),
        command: { kind: 'expire-voucher', voucher: id, worker, now: now.toISOString() },
        meta: metaFor(caller, voucher.issued.region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/vouchers/:voucher/claim',
    {
      config: { auth: { roles: ['card_service'] } },
      schema: {
        summary: 'Claim a voucher for the worker whose card it is',
        operationId: 'claimVoucher',
        description:
          'The social-security card service (电子社保卡) records that the card holder claimed (领取) a voucher issued to them; only a claimed voucher is redeemed at enrolment. A lapsed or redeemed voucher is refused with the reason; a second claim appends nothing.',
        tags: ['training'],
        params: voucherParams,
        body: claimBody,
        response: { 201: voucherAnswer },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const id = request.params.voucher
      const { cardNumber } = request.body
      assertRegion(caller, cardNumber.slice(0, 6))
      const worker = ctx.pseudonyms.pseudonym(cardNumber)
      const now = ctx.now()
      const { state } = await loadWorker(ctx.store, worker)
      const region = findVoucher(state, id)?.issued.region ?? cardNumber.slice(0, 6)
      const { ids, append } = await handleCommand(ctx.store, workerDecider, {
        stream: streamOf.training(worker),
        command: { kind: 'claim-voucher', voucher: id, worker, now: now.toISOString() },
        meta: metaFor(caller, region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ voucher: id, worker, ids, revision: append.revision })
    },
  )
}
