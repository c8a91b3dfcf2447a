import { pseudonymSchema } from '@trec/contracts'
import { assertRegionNamed, inRegionScope, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { z } from 'zod'
import { readBatch } from '../app/payment-batches.ts'
import { type SettledLine, voucherBalances, voucherTotals } from '../domain/voucher-balance.ts'
import type { ResolvedOptions } from '../options.ts'
import { source } from './common.ts'

// GET /v1/workers/:worker/vouchers: a worker's training vouchers (电子培训券) inside the caller's
// region and their balance: what is still usable, redeemed at enrolment and not yet paid, and
// settled by a paid batch line that names the voucher. The path names the pseudonym; every read
// is an access event of the worker.

const fen = z.int().describe('Fen.')

const voucherView = z
  .object({
    voucher: z.string(),
    region: z.string(),
    value: fen,
    validUntil: z.string(),
    status: z.enum(['issued', 'claimed', 'redeemed', 'settled', 'expired']),
    group: z.string().optional(),
    redeemed: z.object({ class: z.string(), institution: z.string(), amount: fen }).optional(),
    settled: z.object({ paymentRef: z.string(), amount: fen }).optional(),
  })
  .meta({ id: 'VoucherBalance', description: 'A voucher, where it stands, and the payment that settled it.' })

const answer = z
  .object({
    worker: z.string().describe('The worker’s pseudonym.'),
    totals: z.object({ available: fen, redeemed: fen, settled: fen }),
    vouchers: z.array(voucherView),
  })
  .meta({
    id: 'WorkerVouchers',
    description:
      'A worker’s vouchers inside the caller’s region, each with its status, and the totals in fen.',
    example: {
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      totals: { available: 0, redeemed: 0, settled: 220000 },
      vouchers: [
        {
          voucher: 'vch-01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
          region: '130100',
          value: 220000,
          validUntil: '2021-09-01T00:00:00.000Z',
          status: 'settled',
          group: 'unemployed',
          redeemed: { class: 'cls-130100-0042-1', institution: 'inst-130100-0042', amount: 220000 },
          settled: { paymentRef: 'pb-130102-1/1', amount: 220000 },
        },
      ],
    },
  })

/** The paid batch lines of the worker's payments that name a voucher. */
async function settledLines(options: ResolvedOptions, worker: string): Promise<SettledLine[]> {
  const lines: SettledLine[] = []
  for (const e of await options.store.readStream(`subsidy-${worker}`)) {
    if (e.type !== 'SubsidyPaid') continue
    const ref = (e.data as { paymentRef: string }).paymentRef
    const [batch, line] = ref.split('/')
    if (!batch?.startsWith('pb-') || line === undefined) continue
    const sent = (await readBatch(options, batch))?.issued.lines.find((l) => l.line === Number(line))
    if (sent?.voucher) lines.push({ voucher: sent.voucher, paymentRef: ref, amount: sent.amount })
  }
  return lines
}

export function workerVoucherRoute(app: Platform, options: ResolvedOptions): void {
  app.get(
    '/v1/workers/:worker/vouchers',
    {
      config: { auth: { roles: ['subsidy_officer', 'finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: "A worker's training vouchers and their balance",
        operationId: 'getWorkerVouchers',
        description:
          'Subsidy officers and finance of a region read the vouchers (电子培训券) of a worker (named by pseudonym) issued inside their token’s region: each issued, claimed, redeemed at enrolment (for which class and institution), settled by the paid batch line that names it, or lapsed, with the totals still usable, redeemed and settled, in fen. Every read is recorded in the worker’s access log.',
        params: z.strictObject({ worker: pseudonymSchema }),
        response: { 200: answer },
      },
    },
    async (request) => {
      const p = principal(request)
      assertRegionNamed(p)
      const { worker } = request.params
      const now = options.clock()
      const training = await options.store.readStream(`training-${worker}`)
      const vouchers = voucherBalances(
        training,
        await settledLines(options, worker),
        now.toISOString(),
      ).filter((v) => inRegionScope(p, v.region))
      await options.accessLog.recordRead(
        readerOf(p, String(request.id)),
        { worker, view: 'vouchers', found: vouchers.length > 0 },
        { at: now, source, region: p.region!.padEnd(6, '0') },
      )
      return { worker, totals: voucherTotals(vouchers), vouchers }
    },
  )
}
