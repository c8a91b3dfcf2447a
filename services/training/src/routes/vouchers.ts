import { handleCommand } from '@trec/command'
import {
  entityIdSchema,
  instantSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
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
// (in the body, never in the URL), and lets it lapse once its validity has ended.

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
  })
  .refine((b) => b.value !== undefined || b.programme !== undefined, {
    message: 'give a value, or a programme whose standard is the value',
    path: ['value'],
  })

const expiryBody = z
  .strictObject({ worker: pseudonymSchema.optional(), cardNumber: cardNumberSchema.optional() })
  .refine((b) => (b.worker === undefined) !== (b.cardNumber === undefined), {
    message: 'name the worker by pseudonym or by card number, not both',
    path: ['worker'],
  })

export function voucherRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/vouchers',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        summary: 'Issue a training voucher to a worker',
        tags: ['training'],
        body: issueBody,
        response: { 201: appended.extend({ voucher: z.string(), worker: z.string() }) },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const { cardNumber, region, programme, value, validUntil } = request.body
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
}
