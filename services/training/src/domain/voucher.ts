import { check } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { inForceOn, type Programme } from './catalogue.ts'
import { violation } from './rules.ts'
import { chinaDate } from './time.ts'
import { findVoucher, type VoucherState, type WorkerEvent, type WorkerState } from './worker-state.ts'

// Vouchers (职业培训券 D0, 电子培训券 D3) target a subsidy to a worker. How long one stays valid
// and what it is worth are not in the seeds (brief appendix A): the validity comes from the
// service options and the value from the programme's standard or the issuing officer.

export interface IssueVoucherCommand {
  kind: 'issue-voucher'
  voucher: string
  worker: string
  region: string
  /** A voucher for one programme (定向券), as the catalogue has it; absent for any programme. */
  programme?: string
  programmeEntry?: Programme
  /** The value; by default the programme's standard. */
  value?: number
  validUntil: string
  /** Issued to a population group under a rule set (an issue by group): both recorded on the voucher. */
  group?: EventData<'VoucherIssued'>['group']
  ruleSet?: EventData<'VoucherIssued'>['ruleSet']
  now: string
}

export type VoucherCommand =
  | IssueVoucherCommand
  | { kind: 'expire-voucher'; voucher: string; worker: string; now: string }
  | { kind: 'claim-voucher'; voucher: string; worker: string; now: string }

function decideIssue(command: IssueVoucherCommand): WorkerEvent[] {
  const entry = command.programmeEntry
  check(
    command.programme !== undefined &&
      !entry &&
      violation('programme-unknown', 'the programme is not in the catalogue of the region', {
        programme: command.programme,
      }),
    entry !== undefined &&
      !inForceOn(entry, chinaDate(command.now)) &&
      violation('programme-not-in-force', 'the programme is not in force today', {
        effectiveFrom: entry.effectiveFrom,
        ...(entry.effectiveTo === undefined ? {} : { effectiveTo: entry.effectiveTo }),
      }),
    Date.parse(command.validUntil) <= Date.parse(command.now) &&
      violation('voucher-validity-past', 'the voucher would be valid only until a time already past'),
  )
  const { voucher, worker, region, programme, validUntil, group, ruleSet } = command
  // The route insists on a value or a programme; with a known programme its standard is the default.
  const value = command.value ?? entry!.amount
  const data = {
    voucher,
    worker,
    region,
    value,
    validUntil,
    ...(programme === undefined ? {} : { programme }),
    ...(group === undefined ? {} : { group }),
    ...(ruleSet === undefined ? {} : { ruleSet }),
  }
  return [{ type: 'VoucherIssued', data }]
}

/**
 * Why a voucher cannot be used now (claimed or redeemed), or nothing: unknown, already redeemed,
 * lapsed (recorded or past its validity). The reason names what the refusal rests on.
 */
export function voucherUnusable(voucher: VoucherState | undefined, now: string) {
  if (!voucher) return violation('voucher-unknown', 'no such voucher was issued to this worker')
  if (voucher.status === 'redeemed')
    return violation('voucher-redeemed', 'the voucher was redeemed', { class: voucher.redeemedFor })
  if (voucher.status === 'expired' || Date.parse(voucher.issued.validUntil) <= Date.parse(now))
    return violation('voucher-expired', 'the voucher has lapsed', { validUntil: voucher.issued.validUntil })
  return undefined
}

function decideClaim(command: { voucher: string; worker: string; now: string }, state: WorkerState) {
  const voucher = findVoucher(state, command.voucher)
  if (voucher?.status === 'claimed') return []
  check(voucherUnusable(voucher, command.now))
  return [
    { type: 'VoucherClaimed', data: { voucher: command.voucher, worker: command.worker } },
  ] as WorkerEvent[]
}

export function decideVoucher(command: VoucherCommand, state: WorkerState): WorkerEvent[] {
  if (command.kind === 'issue-voucher') return decideIssue(command)
  if (command.kind === 'claim-voucher') return decideClaim(command, state)
  const voucher = findVoucher(state, command.voucher)
  check(
    !voucher && violation('voucher-unknown', 'no such voucher was issued to this worker'),
    voucher?.status === 'redeemed' &&
      violation('voucher-redeemed', 'the voucher was redeemed', { class: voucher.redeemedFor }),
    voucher?.status === 'expired' && violation('voucher-expired', 'the voucher has already lapsed'),
    (voucher?.status === 'issued' || voucher?.status === 'claimed') &&
      Date.parse(voucher.issued.validUntil) > Date.parse(command.now) &&
      violation('voucher-still-valid', 'the voucher is still valid', {
        validUntil: voucher.issued.validUntil,
      }),
  )
  return [{ type: 'VoucherExpired', data: { voucher: command.voucher, worker: command.worker } }]
}
