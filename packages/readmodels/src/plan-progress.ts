import { inRegion, regionPrefix } from './time.ts'
import type { PaymentRecord } from './worker-compliance.ts'

// 台账 against plan targets (D0: 「对各项培训任务建立台账…做到目标亮相、考核亮牌」; plan indicators of
// D0 专栏1: 开展补贴性职业技能培训（人次）, of which 农民工). Targets are data per region and period,
// never constants: configured per quarter, or published by an officer per year (PlanTargetPublished).
// 人次 (person-times) counts as the plan tables count it: one per completed subsidised training
// (a worker in a class), however many claims or payments it took, leaving out trainings whose
// payments were all recovered in full; a payment that names no class stands for its own claim.
// A person-time counts in every population group attested for the worker on the day paid (groups
// are "of which" breakdowns, as in the plan tables), and in `unattested` when none was.

export interface PlanTarget {
  /** A 行政区划代码 prefix (2, 4 or 6 digits) or a six-digit code standing for one. */
  region: string
  /** `YYYYQn`, for a quarter's target. */
  quarter?: string
  /** `YYYY`, for a year's target. */
  year?: string
  /** Subsidised person-times planned. */
  personTimes: number
  byGroup?: Partial<Record<string, number>>
  byKind?: Partial<Record<string, number>>
  /** Where the target comes from (the plan document). */
  source: string
}

/** The training a payment subsidises: the worker in the class, else the claim itself. */
export const trainingOf = (p: Pick<PaymentRecord, 'worker' | 'class' | 'claim'>): string =>
  p.class === null ? `claim:${p.claim}` : `${p.worker}|${p.class}`

export interface PlanLine {
  target: number | null
  actual: number
  /** actual / target, when there is a target. */
  share: number | null
}

export interface PlanProgress {
  region: string
  /** The period asked for: `YYYYQn` or `YYYY`. */
  period: string
  /** The quarter, when the period is one. */
  quarter?: string
  source: string | null
  personTimes: PlanLine
  byGroup: Record<string, PlanLine>
  byKind: Record<string, PlanLine>
}

function line(actual: number, target: number | undefined): PlanLine {
  return {
    target: target ?? null,
    actual,
    share: target === undefined || target === 0 ? null : actual / target,
  }
}

/** Progress of one region and period (`YYYYQn` or `YYYY`): the subsidised trainings against the matching target. */
export function planProgress(
  payments: readonly PaymentRecord[],
  targets: readonly PlanTarget[],
  region: string,
  period: string,
): PlanProgress {
  const yearly = /^\d{4}$/.test(period)
  const target = targets.findLast(
    (t) => regionPrefix(t.region) === regionPrefix(region) && (yearly ? t.year : t.quarter) === period,
  )
  const trainings = new Map<
    string,
    { kinds: Set<string>; groups: Set<string>; paid: number; clawed: number }
  >()
  for (const p of payments) {
    if (!p.quarter.startsWith(period) || !inRegion(p.region ?? undefined, region)) continue
    const key = trainingOf(p)
    const t = trainings.get(key) ?? {
      kinds: new Set<string>(),
      groups: new Set<string>(),
      paid: 0,
      clawed: 0,
    }
    trainings.set(key, t)
    t.paid += p.amount
    t.clawed += p.clawedBack
    t.kinds.add(p.kind ?? 'unknown')
    for (const g of p.groups) t.groups.add(g)
  }
  const counted = [...trainings.values()].filter((t) => t.clawed < t.paid)
  const byGroup: Record<string, number> = {}
  const byKind: Record<string, number> = {}
  for (const t of counted) {
    for (const k of t.kinds) byKind[k] = (byKind[k] ?? 0) + 1
    if (t.groups.size === 0) byGroup.unattested = (byGroup.unattested ?? 0) + 1
    for (const g of t.groups) byGroup[g] = (byGroup[g] ?? 0) + 1
  }
  const lines = (actual: Record<string, number>, planned: Partial<Record<string, number>> = {}) =>
    Object.fromEntries(
      [...new Set([...Object.keys(actual), ...Object.keys(planned)])]
        .sort()
        .map((k) => [k, line(actual[k] ?? 0, planned[k])]),
    )
  return {
    region,
    period,
    ...(yearly ? {} : { quarter: period }),
    source: target?.source ?? null,
    personTimes: line(counted.length, target?.personTimes),
    byGroup: lines(byGroup, target?.byGroup),
    byKind: lines(byKind, target?.byKind),
  }
}
