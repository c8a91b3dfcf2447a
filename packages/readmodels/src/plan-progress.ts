import { inRegion, regionPrefix } from './time.ts'
import type { PaymentRecord } from './worker-compliance.ts'

// 台账 against plan targets (D0: 「对各项培训任务建立台账…做到目标亮相、考核亮牌」; plan indicators of
// D0 专栏1: 开展补贴性职业技能培训（人次）, of which 农民工). Targets are configured data per region
// and quarter, never constants. 人次 (person-times) counts subsidised trainings: each claim paid in
// the quarter once, however many payments settled it, leaving out claims whose payments were
// recovered in full. A person-time counts in every population group attested for the worker on
// the day paid (groups are "of which" breakdowns, as in the plan tables), and in `unattested`
// when none was.

export interface PlanTarget {
  /** A 行政区划代码 prefix (2, 4 or 6 digits) or a six-digit code standing for one. */
  region: string
  /** `YYYYQn`. */
  quarter: string
  /** Subsidised person-times planned. */
  personTimes: number
  byGroup?: Partial<Record<string, number>>
  byKind?: Partial<Record<string, number>>
  /** Where the target comes from (the plan document). */
  source: string
}

export interface PlanLine {
  target: number | null
  actual: number
  /** actual / target, when there is a target. */
  share: number | null
}

export interface PlanProgress {
  region: string
  quarter: string
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

/** Progress of one region and quarter: the payments' person-times against the matching target. */
export function planProgress(
  payments: readonly PaymentRecord[],
  targets: readonly PlanTarget[],
  region: string,
  quarter: string,
): PlanProgress {
  const target = targets.find((t) => regionPrefix(t.region) === regionPrefix(region) && t.quarter === quarter)
  const claims = new Map<string, { kind: string; groups: Set<string>; paid: number; clawed: number }>()
  for (const p of payments) {
    if (p.quarter !== quarter || !inRegion(p.region ?? undefined, region)) continue
    const c = claims.get(p.claim) ?? {
      kind: p.kind ?? 'unknown',
      groups: new Set<string>(),
      paid: 0,
      clawed: 0,
    }
    claims.set(p.claim, c)
    c.paid += p.amount
    c.clawed += p.clawedBack
    for (const g of p.groups) c.groups.add(g)
  }
  const counted = [...claims.values()].filter((c) => c.clawed < c.paid)
  const byGroup: Record<string, number> = {}
  const byKind: Record<string, number> = {}
  for (const c of counted) {
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1
    if (c.groups.size === 0) byGroup.unattested = (byGroup.unattested ?? 0) + 1
    for (const g of c.groups) byGroup[g] = (byGroup[g] ?? 0) + 1
  }
  const lines = (actual: Record<string, number>, planned: Partial<Record<string, number>> = {}) =>
    Object.fromEntries(
      [...new Set([...Object.keys(actual), ...Object.keys(planned)])]
        .sort()
        .map((k) => [k, line(actual[k] ?? 0, planned[k])]),
    )
  return {
    region,
    quarter,
    source: target?.source ?? null,
    personTimes: line(counted.length, target?.personTimes),
    byGroup: lines(byGroup, target?.byGroup),
    byKind: lines(byKind, target?.byKind),
  }
}
