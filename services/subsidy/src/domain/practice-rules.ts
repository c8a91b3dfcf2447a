import type { ClaimBasis } from './basis.ts'
import type { ClaimFacts } from './claim-facts.ts'
import { type ClaimState, isActive } from './claim-state.ts'
import { yearOf } from './dates.ts'
import { type Evidence, factsOf } from './facts.ts'
import type { KindRule, RuleSet } from './rule-set.ts'

type Fail = (id: string, message: string, details?: Record<string, unknown>) => void

// Limits over the worker's subsidy history (`subsidy-{worker}`). Other claims count while they
// stand (not rejected, not wholly clawed back); a claim counts from the day it is made, so two
// claims for the same thing cannot both get through review at once.

export function checkHistory(
  claim: ClaimFacts,
  rule: KindRule,
  rules: RuleSet,
  basis: ClaimBasis,
  history: readonly ClaimState[],
  evidence: Evidence,
  fail: Fail,
): void {
  const others = history.filter((c) => c.submitted.claim !== claim.claim && isActive(c))
  const year = yearOf(claim.claimedOn)
  const sameYear = (c: ClaimState) => yearOf(c.submitted.claimedOn) === year
  const { occupationCode, level } = basis

  // Not a practice rule but the record's integrity: one training, or one certificate, is
  // subsidised once under a kind, whoever is paid (docs/domain.md §4 「重复享受」).
  const duplicates = others.filter(
    (c) =>
      c.submitted.kind === claim.kind &&
      ((claim.class !== undefined && c.submitted.class === claim.class) ||
        (claim.certificate !== undefined && c.submitted.certificate === claim.certificate)),
  )
  if (duplicates.length > 0)
    fail('duplicate-claim', 'this training or certificate is already claimed for', {
      claims: duplicates.map((c) => c.submitted.claim),
    })

  // D2 新型学徒制 「每人每年」: the sum is a yearly one, so one claim of the kind a year.
  if (rule.perPersonPerYear !== undefined) {
    const taken = others.filter((c) => c.submitted.kind === claim.kind && sameYear(c))
    if (taken.length >= rule.perPersonPerYear)
      fail('once-per-year', `at most ${rule.perPersonPerYear} ${claim.kind} subsidy a person a year`, {
        year,
        claims: taken.map((c) => c.submitted.claim),
      })
  }

  // NOT IN SEEDS: 同一职业（工种）同一等级只能享受一次.
  const once = rules.practice.oncePerOccupationLevel
  if (once?.kinds.includes(claim.kind) && occupationCode !== undefined) {
    const same = others.filter(
      (c) =>
        once.kinds.includes(c.submitted.kind) &&
        c.submitted.occupationCode === occupationCode &&
        c.submitted.level === level,
    )
    if (same.length > 0)
      fail('once-per-occupation-level', 'this occupation and level has already been subsidised', {
        occupationCode,
        level: level ?? null,
        claims: same.map((c) => c.submitted.claim),
      })
  }

  // NOT IN SEEDS: at most N subsidies a person a year (3 under several rules; 1 or 2 elsewhere).
  const cap = rules.practice.yearlyCap
  if (cap?.kinds.includes(claim.kind)) {
    const taken = others.filter((c) => cap.kinds.includes(c.submitted.kind) && sameYear(c))
    if (taken.length >= cap.max)
      fail('yearly-cap', `at most ${cap.max} subsidies a person a year`, {
        year,
        max: cap.max,
        claims: taken.map((c) => c.submitted.claim),
      })
  }

  // NOT IN SEEDS: no subsidy for a lower level once a higher certificate of the occupation is held
  // (level 1 = 高级技师 is the highest) or a higher level of it has been subsidised.
  if (rules.practice.noLowerLevelAfterHigher && occupationCode !== undefined && level !== undefined) {
    const asOf = basis.certificate?.data.issuedOn ?? claim.claimedOn
    const revoked = new Set(factsOf(evidence, 'CertificateRevoked').map((r) => r.data.certificate))
    const higherCertificates = factsOf(evidence, 'CertificateIssued').filter(
      (c) =>
        c.data.occupationCode === occupationCode &&
        c.data.level !== undefined &&
        c.data.level < level &&
        c.data.issuedOn <= asOf &&
        !revoked.has(c.data.certificate),
    )
    const higherClaims = others.filter(
      (c) =>
        c.submitted.occupationCode === occupationCode &&
        c.submitted.level !== undefined &&
        c.submitted.level < level,
    )
    if (higherCertificates.length > 0 || higherClaims.length > 0)
      fail('lower-level-after-higher', 'a higher level of this occupation is already held', {
        occupationCode,
        level,
        certificates: higherCertificates.map((c) => c.data.certificate),
        claims: higherClaims.map((c) => c.submitted.claim),
      })
  }
}
