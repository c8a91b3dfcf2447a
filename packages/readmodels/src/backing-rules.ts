import type { AcceptedGroup } from '@trec/contracts'

// What the read side needs of a subsidy rule set to judge a payment afterwards: which evidence a
// kind of subsidy requires, which certificate kinds qualify, the target groups, and the attendance
// minimum. The
// subsidy service's rule sets (services/subsidy/rules/*.json, its `RuleSet` type) have this shape
// and more; pass the same sets, so a payment is judged by the exact `{ id, version }` it names.

export interface BackingKindRule {
  requires: { enrolment: boolean; attendance: boolean; completion: boolean; certificate: boolean }
  /** The certificate kinds that qualify; any kind when absent. */
  certificateKinds?: readonly string[]
  /** The target groups the kind is for (any worker when absent), judged as the gate judges them. */
  groups?: { accepted: readonly AcceptedGroup[] } | undefined
}

export interface BackingRuleSet {
  id: string
  version: number
  kinds: Partial<Record<string, BackingKindRule | undefined>>
  practice: {
    /** NOT IN SEEDS: a configurable minimum attendance share (e.g. 0.8). */
    minAttendanceShare?: number | undefined
    /** Also count the scheduled sessions with a passing, live face check. */
    countFaceChecks?: boolean | undefined
    /** NOT IN SEEDS: passing face checks per hour of signed online learning. */
    onlineFaceChecksPerHour?: number | undefined
    /** NOT IN SEEDS: minutes late a 签到 card tap and early a 签退 tap may be. */
    lateArrivalMinutes?: number | undefined
    earlyLeaveMinutes?: number | undefined
  }
}

export function ruleSetFor(
  sets: readonly BackingRuleSet[],
  ref: { id: string; version: number },
): BackingRuleSet | undefined {
  return sets.find((s) => s.id === ref.id && s.version === ref.version)
}
