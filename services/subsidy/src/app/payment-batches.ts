import { handleMultiStreamCommand, type Meta, type RuleViolation, reject } from '@trec/command'
import type { DomainEventToAppend, SealedValue } from '@trec/contracts'
import { isTrecError, TrecError } from '@trec/core'
import type { PayClaim } from '../domain/claim-commands.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { SubsidyEvent, SubsidyState } from '../domain/claim-state.ts'
import {
  type BatchView,
  batchView,
  checkReturn,
  claimsHeld,
  type Issued,
  type ParsedReturn,
  type ReturnProblem,
} from '../domain/payment-batch.ts'
import { ruleSetByRef } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { type LoadedClaim, loadClaim } from '../routes/common.ts'
import { readClaimEvidence } from './read-evidence.ts'
import { ruleSetsFor } from './rule-source.ts'

// Payment batches over the store. A region's batches are numbered `pb-{region}-{n}`, so the
// next one is created at `no_stream`: two issuers of a region never hand the same claim to the
// bank twice (one of them reads again and finds it held). A claim goes out only if paying it
// now would pass the same decision as `POST /v1/claims/:claim/payment` (approved, the 不进不补
// gate, the worker's card account); it is marked paid (SubsidyPaid, its payment reference the
// batch line's) only when the bank's return says so, in the same append as the return.

export const batchStream = (batch: string) => `paybatch-${batch}`

/** Every batch of the region, in order. */
export async function regionBatches(options: ResolvedOptions, region: string): Promise<BatchView[]> {
  const batches: BatchView[] = []
  for (let n = 1; ; n++) {
    const view = await readBatch(options, `pb-${region}-${n}`)
    if (!view) return batches
    batches.push(view)
  }
}

export async function readBatch(options: ResolvedOptions, batch: string): Promise<BatchView | undefined> {
  const events = await options.store.readStream(batchStream(batch))
  if (events.length === 0) return undefined
  return batchView(events, events.at(-1)!.revision)
}

/** The payment decision for a claim now, with the line's reference. */
async function payCommand(
  options: ResolvedOptions,
  loaded: LoadedClaim,
  paymentRef: string,
  today: string,
): Promise<PayClaim> {
  const s = loaded.claim.submitted
  return {
    kind: 'pay',
    claim: s.claim,
    today,
    rules: ruleSetByRef(await ruleSetsFor(options, s.region), s.ruleSet),
    evidence: await readClaimEvidence(options.store, {
      worker: loaded.worker,
      class: s.class,
      institution: s.payee.kind === 'worker' ? undefined : s.payee.id,
    }),
    paymentRef,
  }
}

/** The reasons a decision refuses, each naming the claim; rethrows anything else. */
function refusals(error: unknown, claim: string): RuleViolation[] {
  if (!isTrecError(error, 'TREC_RULE_FAILED')) throw error
  const reasons = (error.details as { reasons?: RuleViolation[] } | undefined)?.reasons ?? []
  return reasons.map((r) => ({ ...r, message: `${claim}: ${r.message}`, details: { ...r.details, claim } }))
}

export interface IssueBatch {
  region: string
  claims: readonly string[]
  reissue: readonly { batch: string; line: number }[]
  today: string
}

type Line = Issued['lines'][number]

async function claimLine(
  options: ResolvedOptions,
  claim: string,
  cmd: IssueBatch,
  batch: string,
  line: number,
): Promise<Line> {
  const loaded = await loadClaim(options, claim)
  const s = loaded.claim.submitted
  if (s.region !== cmd.region)
    reject({ rule: 'batch-region', message: `${claim} is a claim of region ${s.region}`, details: { claim } })
  if (s.payee.kind !== 'worker')
    reject({
      rule: 'batch-payee',
      message: `${claim} pays a provider: its payment is recorded through POST /v1/claims/{claim}/payment`,
      details: { claim },
    })
  // The decision a payment would take now; only its refusal matters here.
  subsidyDecider.decide(await payCommand(options, loaded, `${batch}/${line}`, cmd.today), loaded.state)
  const voucher = s.class === undefined ? undefined : await voucherRedeemedFor(options, s.worker, s.class)
  return lineFor(
    loaded.state,
    { claim, worker: s.worker, payee: s.payee, amount: amountOf(loaded), ...(voucher ? { voucher } : {}) },
    batch,
    line,
  )
}

/**
 * The voucher (电子培训券) the worker redeemed at enrolment in the class, if any: the line paying
 * a claim for that class settles it, and names it.
 */
async function voucherRedeemedFor(
  options: ResolvedOptions,
  worker: string,
  cls: string,
): Promise<string | undefined> {
  const events = await options.store.readStream(`training-${worker}`)
  const redeemed = events.find(
    (e) => e.type === 'VoucherRedeemed' && (e.data as { class: string }).class === cls,
  )
  return redeemed ? (redeemed.data as { voucher: string }).voucher : undefined
}

const amountOf = (loaded: LoadedClaim) =>
  loaded.claim.decision?.approvedAmount ?? loaded.claim.submitted.amount

function lineFor(
  state: SubsidyState,
  l: Pick<Line, 'claim' | 'worker' | 'payee' | 'amount' | 'voucher'>,
  batch: string,
  line: number,
): Line {
  const account = state.cardAccount
  if (!account)
    reject({
      rule: 'card-account-registered',
      message: `${l.claim}: no social-security card account is registered for the worker (持卡领补)`,
      details: { claim: l.claim },
    })
  return { line, ...l, paymentRef: `${batch}/${line}`, account }
}

/** Issues the region's next batch: the claims named and the failed lines re-issued. */
export async function issueBatch(
  options: ResolvedOptions,
  cmd: IssueBatch,
  meta: Meta,
  nextId: () => string,
) {
  const { events, ids, streams } = await handleMultiStreamCommand<DomainEventToAppend>(
    options.store,
    async () => {
      const batches = await regionBatches(options, cmd.region)
      const batch = `pb-${cmd.region}-${batches.length + 1}`
      const held = claimsHeld(batches)
      const reasons: RuleViolation[] = []
      const lines: Line[] = []
      const twice = (claim: string) => lines.some((l) => l.claim === claim)
      for (const claim of cmd.claims) {
        if (twice(claim)) {
          reasons.push({ rule: 'claim-in-batch', message: `${claim} is named twice`, details: { claim } })
          continue
        }
        const at = held.get(claim)
        if (at) {
          reasons.push({
            rule: 'claim-in-batch',
            message: `${claim} is already line ${at.line} of ${at.batch}`,
            details: { claim, ...at },
          })
          continue
        }
        try {
          lines.push(await claimLine(options, claim, cmd, batch, lines.length + 1))
        } catch (error) {
          reasons.push(...refusals(error, claim))
        }
      }
      const revisions: Record<string, number> = { [batchStream(batch)]: -1 }
      const reissued: DomainEventToAppend[] = []
      for (const r of cmd.reissue) {
        const old = batches.find((b) => b.issued.batch === r.batch)
        const sent = old?.issued.lines.find((l) => l.line === r.line)
        if (!old || !sent || old.outcome.get(r.line) !== 'failed' || twice(sent.claim)) {
          reasons.push({
            rule: 'reissue-failed-line',
            message: `${r.batch} line ${r.line} is not a failed line of this region waiting to be re-issued or cancelled`,
            details: { ...r, outcome: old?.outcome.get(r.line) ?? null },
          })
          continue
        }
        try {
          const loaded = await loadClaim(options, sent.claim)
          const { claim, worker, payee, amount, voucher } = sent
          const settles = voucher === undefined ? {} : { voucher }
          const line = lineFor(
            loaded.state,
            { claim, worker, payee, amount, ...settles },
            batch,
            lines.length + 1,
          )
          lines.push({ ...line, reissues: r })
          reissued.push({
            type: 'PaymentLineReissued',
            data: { batch: r.batch, line: r.line, to: { batch, line: line.line }, amount: sent.amount },
          })
          revisions[batchStream(r.batch)] = old.revision
        } catch (error) {
          reasons.push(...refusals(error, sent.claim))
        }
      }
      if (reasons.length > 0) reject(...reasons)
      if (lines.length === 0)
        reject({
          rule: 'batch-lines',
          message: 'a batch pays at least one claim or failed line',
          details: {},
        })
      const total = lines.reduce((s, l) => s + l.amount, 0)
      const issued = {
        type: 'PaymentBatchIssued',
        data: { batch, region: cmd.region, issuedOn: cmd.today, lines, total },
      } as DomainEventToAppend
      return { events: [issued, ...reissued], revisions }
    },
    { meta, nextId },
  )
  const issued = events[0]!.data as Issued
  return { ids, revision: streams.get(batchStream(issued.batch))!.revision, issued }
}

/** Refuses a return file as a whole, naming each line that is wrong. */
export function refuseReturn(problems: readonly ReturnProblem[]): never {
  throw new TrecError('TREC_VALIDATION', 'the return file is refused as a whole; nothing was recorded', {
    issues: problems.map((p) => ({
      path: ['body', 'file', p.fileLine],
      code: p.code,
      message: p.batchLine === undefined ? p.message : `batch line ${p.batchLine}: ${p.message}`,
    })),
  })
}

/**
 * Records the bank's return for `batch`: the return and, for each paid line, the claim's
 * SubsidyPaid to the account the line paid, in one append.
 */
export async function recordReturn(
  options: ResolvedOptions,
  parsed: ParsedReturn,
  today: string,
  meta: Meta,
  nextId: () => string,
) {
  const { ids, streams, events } = await handleMultiStreamCommand<DomainEventToAppend>(
    options.store,
    async () => {
      const view = await readBatch(options, parsed.batch)
      const problems = checkReturn(parsed, view)
      if (problems.length > 0) refuseReturn(problems)
      if (view!.returned)
        reject({
          rule: 'batch-returned',
          message: `${parsed.batch} already has its return ${view!.returned.returnRef}`,
          details: { batch: parsed.batch, returnRef: view!.returned.returnRef },
        })
      const sent = new Map(view!.issued.lines.map((l) => [l.line, l]))
      const lines = parsed.lines.map(({ fileLine: _f, paymentRef: _r, ...l }) => l)
      const paidEvents: SubsidyEvent[] = []
      const revisions: Record<string, number> = { [batchStream(parsed.batch)]: view!.revision }
      const states = new Map<string, SubsidyState>()
      const reasons: RuleViolation[] = []
      for (const l of lines.filter((x) => x.outcome === 'paid')) {
        const line = sent.get(l.line)!
        // The revision is read before the state: a write in between makes the append conflict and
        // decide again, never append on a state older than the revision it expects.
        const stream = `subsidy-${line.worker}`
        revisions[stream] ??= await options.store.streamRevision(stream)
        const loaded = await loadClaim(options, line.claim)
        const state = states.get(loaded.worker) ?? loaded.state
        try {
          const [paid] = subsidyDecider.decide(
            await payCommand(options, loaded, line.paymentRef, today),
            state,
          )
          if (paid?.type !== 'SubsidyPaid') throw new Error('a payment decides one SubsidyPaid')
          const data = {
            ...paid.data,
            account: line.account as { kind: 'ssc_card'; bankAccount: SealedValue },
          }
          paidEvents.push({ type: 'SubsidyPaid', data })
          states.set(loaded.worker, subsidyDecider.evolve(state, { type: 'SubsidyPaid', data }))
        } catch (error) {
          reasons.push(...refusals(error, line.claim))
        }
      }
      if (reasons.length > 0) reject(...reasons)
      const sum = (o: string) => lines.reduce((s, l) => s + (l.outcome === o ? l.amount : 0), 0)
      const returned = {
        type: 'BankReturnRecorded',
        data: {
          batch: parsed.batch,
          returnRef: parsed.returnRef,
          receivedOn: parsed.receivedOn,
          lines,
          paid: sum('paid'),
          failed: sum('failed'),
        },
      } as DomainEventToAppend
      return { events: [returned, ...(paidEvents as DomainEventToAppend[])], revisions }
    },
    { meta, nextId, sortStreams: true },
  )
  const data = events[0]!.data as { paid: number; failed: number }
  return {
    ids,
    revision: streams.get(batchStream(parsed.batch))!.revision,
    paid: data.paid,
    failed: data.failed,
  }
}

/** Gives up a failed line: its money stays in the fund, and the claim may go in a later batch. */
export async function cancelLine(
  options: ResolvedOptions,
  cmd: { batch: string; line: number; reason: string },
  meta: Meta,
  nextId: () => string,
) {
  const { ids, streams } = await handleMultiStreamCommand<DomainEventToAppend>(
    options.store,
    async () => {
      const view = await readBatch(options, cmd.batch)
      if (!view)
        throw new TrecError('TREC_NOT_FOUND', `no batch ${cmd.batch}`, { details: { batch: cmd.batch } })
      const sent = view.issued.lines.find((l) => l.line === cmd.line)
      if (!sent || view.outcome.get(cmd.line) !== 'failed')
        reject({
          rule: 'cancel-failed-line',
          message: `${cmd.batch} line ${cmd.line} is not a failed line waiting to be re-issued or cancelled`,
          details: { batch: cmd.batch, line: cmd.line, outcome: view.outcome.get(cmd.line) ?? null },
        })
      return {
        events: [
          { type: 'PaymentLineCancelled', data: { ...cmd, amount: sent!.amount } } as DomainEventToAppend,
        ],
        revisions: { [batchStream(cmd.batch)]: view.revision },
      }
    },
    { meta, nextId },
  )
  return { ids, revision: streams.get(batchStream(cmd.batch))!.revision }
}

/** 404 when there is no such batch. */
export async function requireBatch(options: ResolvedOptions, batch: string): Promise<void> {
  if ((await options.store.streamRevision(batchStream(batch))) < 0)
    throw new TrecError('TREC_NOT_FOUND', `no batch ${batch}`, { details: { batch } })
}
