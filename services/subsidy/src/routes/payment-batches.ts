import { commandAnswerSchema, noteSchema, regionCodeSchema } from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { z } from 'zod'
import { cancelLine, issueBatch, recordReturn, refuseReturn, requireBatch } from '../app/payment-batches.ts'
import { batchFile, parseReturnFile, yuan } from '../domain/payment-batch.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, metaFor, now, source } from './common.ts'

// Payment batches (docs/payment-files.md): finance issues the region's next batch of approved
// claims and failed lines to re-issue, and is answered the batch file for the paying bank;
// uploads the bank's return (回盘), which marks each line paid (the claim's SubsidyPaid) or
// failed; and cancels a failed line it will not pay again.

const batchId = z.string().regex(/^pb-\d{6}-[1-9]\d{0,8}$/, 'must be a batch id (pb-<region>-<n>)')
const lineRef = z.strictObject({ batch: batchId, line: z.int().min(1).max(100_000) })

const issueBody = z
  .strictObject({
    /** The region whose claims the batch pays; the caller's region or inside it. */
    region: regionCodeSchema,
    /** Approved, unpaid claims paid to workers, each in no other batch. */
    claims: z.array(claimParams.shape.claim).max(10_000).default([]),
    /** Failed lines of earlier batches to pay again, to the card account registered now. */
    reissue: z.array(lineRef).max(10_000).default([]),
  })
  .meta({ id: 'PaymentBatchRequest' })

const issueAnswer = commandAnswerSchema
  .extend({
    batch: z.string().describe('The batch id, pb-<region>-<n>.'),
    lines: z.int().describe('How many transfers the batch holds.'),
    total: z.int().describe('The sum of the lines, in fen.'),
    totalYuan: z.string().describe('The same sum in yuan, two decimals.'),
    file: z.string().describe('The batch file for the paying bank (docs/payment-files.md).'),
  })
  .meta({
    id: 'PaymentBatchAnswer',
    description: 'The events appended, the batch’s stream revision, the totals and the batch file.',
    example: {
      ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
      revision: 0,
      batch: 'pb-130102-1',
      lines: 1,
      total: 150000,
      totalYuan: '1500.00',
      file: 'TRECPAY,1,pb-130102-1,130102,2021-06-20,1,150000,1500.00\n1,pb-130102-1/1,6217000130000123456,150000,1500.00,clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1,\nEND,1,150000,<sha-256 of the lines above>\n',
    },
  })

const returnBody = z
  .strictObject({
    /** The bank's return file (回盘), as the bank sent it: docs/payment-files.md. */
    file: z.string().min(1).max(8_000_000),
  })
  .meta({ id: 'BankReturnRequest' })

const returnAnswer = commandAnswerSchema
  .extend({
    paid: z.int().describe('Fen the bank paid in this return.'),
    failed: z.int().describe('Fen the bank failed to pay in this return.'),
  })
  .meta({
    id: 'BankReturnAnswer',
    description: 'The events appended (the return and a SubsidyPaid per paid line), and the sums in fen.',
    example: { ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'], revision: 1, paid: 150000, failed: 0 },
  })

const cancelBody = z.strictObject({ reason: noteSchema }).meta({ id: 'PaymentLineCancellationRequest' })

const batchParams = z.strictObject({ paymentBatch: batchId })

/** The region a batch id names (pb-<region>-<n>): its scope is checked before anything is read. */
const regionOf = (batch: string) => batch.slice(3, 9)

/** POST /v1/payment-batches, /v1/payment-batches/:paymentBatch/return, /v1/payment-batches/:paymentBatch/lines/:line/cancellation (finance). */
export function paymentBatchRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/payment-batches',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Issue a payment batch to the paying bank',
        operationId: 'issuePaymentBatch',
        description:
          'Finance of a region issues its next payment batch: approved claims paid to workers that no batch holds, each passing the payment decision now (the 不进不补 gate and the worker’s social-security card account, 持卡领补), and failed lines of earlier batches re-issued to the card account registered now. Answers the batch file for the bank (docs/payment-files.md), with account numbers: each worker’s payment record is logged as read. A claim is marked paid only when the bank’s return says so.',
        body: issueBody,
        response: { 201: issueAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { region, claims, reissue } = request.body
      assertRegion(p, region)
      const { at, today } = now(options)
      const result = await issueBatch(
        options,
        { region, claims, reissue, today },
        metaFor(p, at, region),
        commandEventIds(request),
      )
      const accounts = new Map<number, string>()
      for (const l of result.issued.lines) {
        await options.accessLog.recordRead(
          readerOf(p, String(request.id)),
          { worker: l.worker, view: 'payment' },
          { at: options.clock(), source, region },
        )
        if (l.account)
          accounts.set(
            l.line,
            await options.keyRing.open(l.account.bankAccount, 'account.bankAccount', l.worker),
          )
      }
      const { issued } = result
      return reply.code(201).send({
        ids: result.ids,
        revision: result.revision,
        batch: issued.batch,
        lines: issued.lines.length,
        total: issued.total,
        totalYuan: yuan(issued.total),
        file: batchFile(issued, accounts),
      })
    },
  )

  app.post(
    '/v1/payment-batches/:paymentBatch/return',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Record the bank’s return file (回盘) for a batch',
        operationId: 'recordBankReturn',
        description:
          'Finance uploads the paying bank’s return file for a batch of its region: every line of the batch once, paid with the bank’s reference or failed with the bank’s reason. A paid line marks its claim paid (SubsidyPaid, to the account the line paid). A file that names another batch, a line twice, a line the batch lacks, another reference or amount, or leaves a line out is refused as a whole (400 naming each file line), and nothing is recorded.',
        params: batchParams,
        body: returnBody,
        response: { 201: returnAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const batch = request.params.paymentBatch
      const region = regionOf(batch)
      assertRegion(p, region)
      const { parsed, problems } = parseReturnFile(request.body.file)
      if (parsed && parsed.batch !== batch)
        problems.push({
          fileLine: 1,
          code: 'unknown_batch',
          message: `the file returns ${parsed.batch}, not ${batch}`,
        })
      if (problems.length > 0 || !parsed) refuseReturn(problems)
      await requireBatch(options, batch)
      const { at, today } = now(options)
      const result = await recordReturn(
        options,
        parsed,
        today,
        metaFor(p, at, region),
        commandEventIds(request),
      )
      return reply.code(201).send(result)
    },
  )

  app.post(
    '/v1/payment-batches/:paymentBatch/lines/:line/cancellation',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Cancel a failed line of a payment batch',
        operationId: 'cancelPaymentLine',
        description:
          'Finance of the batch’s region gives up a line the bank failed to pay, with the reason: its money stays in the fund, and the claim may go in a later batch. Only a failed line not yet re-issued or cancelled can be.',
        params: batchParams.extend({ line: z.coerce.number().int().min(1).max(100_000) }),
        body: cancelBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { paymentBatch: batch, line } = request.params
      const region = regionOf(batch)
      assertRegion(p, region)
      const { at } = now(options)
      const result = await cancelLine(
        options,
        { batch, line, reason: request.body.reason },
        metaFor(p, at, region),
        commandEventIds(request),
      )
      return reply.code(201).send(result)
    },
  )
}
