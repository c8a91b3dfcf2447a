import type { IntegrityGrade } from '@trec/contracts'

// 诚信等级 (integrity grade) of an institution, computed from its KPIs (packages/readmodels/src/kpis.ts) and its case record.
// The seeds name the instrument (诚信等级评定) but give no grades, inputs or thresholds: the four
// grades A–D, the inputs below and every threshold are NOT IN THE SEEDS; they are set by the
// region, and `exampleGradeThresholds` is only an example to start from.
//
// Inputs (what an officer records with the grade, so the grade can be re-derived):
//   completions        the institution's completions in the period (KpiRow.completions)
//   passRate           培训合格率 (KpiRow.passRate)
//   certificationRate  取证率, any kind (KpiRow.certificationRateAny)
//   confirmedFraud     cases closed with findings of confirmed fraud (CaseFindingsRecorded)
//   sanctionsInForce   suspensions or delistings in force (CaseSanctionDecided, InstitutionSuspended)
// and, counted by the service from the supervision record of the period (never typed; absent on
// grades recorded before these instruments, read as 0):
//   commitmentBreaches      告知承诺 checks that found a breach (CommitmentChecked, breached)
//   inspectionsUnqualified  年度检查 不合格 (AnnualInspectionRecorded)
//   inspectionsBasic        年度检查 基本合格
//   samplingFailures        双随机 results that found a problem (SamplingResultRecorded:
//                           rectification_ordered, violation or not_located)
//
// Rule, first match wins:
//   D  a sanction in force, or confirmedFraud ≥ thresholds.fraudForD
//   C  confirmedFraud ≥ 1, a commitment breached, an annual inspection 不合格, a 双随机 result
//      that found a problem, or passRate < C.passRate, or certificationRate < C.certificationRate
//   A  completions ≥ A.minCompletions, passRate ≥ A.passRate and certificationRate ≥ A.certificationRate,
//      and no annual inspection 基本合格 (which caps the grade at B)
//   B  otherwise (including an institution with too few completions to judge)

export interface GradeInputs {
  completions: number
  passRate: number
  certificationRate: number
  confirmedFraud: number
  sanctionsInForce: number
  commitmentBreaches?: number
  inspectionsUnqualified?: number
  inspectionsBasic?: number
  samplingFailures?: number
}

export interface GradeThresholds {
  A: { minCompletions: number; passRate: number; certificationRate: number }
  C: { passRate: number; certificationRate: number }
  fraudForD: number
}

/** An example only (not in the seeds; set by the region). */
export const exampleGradeThresholds: GradeThresholds = {
  A: { minCompletions: 30, passRate: 0.9, certificationRate: 0.8 },
  C: { passRate: 0.6, certificationRate: 0.4 },
  fraudForD: 2,
}

export interface GradeResult {
  grade: IntegrityGrade
  /** Why, in the words of the rule above (English; the console translates). */
  reason: string
}

export function computeIntegrityGrade(inputs: GradeInputs, t: GradeThresholds): GradeResult {
  if (inputs.sanctionsInForce > 0) return { grade: 'D', reason: 'a sanction is in force' }
  if (inputs.confirmedFraud >= t.fraudForD)
    return { grade: 'D', reason: `${inputs.confirmedFraud} confirmed fraud findings (D at ${t.fraudForD})` }
  if (inputs.confirmedFraud > 0) return { grade: 'C', reason: 'a confirmed fraud finding' }
  if ((inputs.commitmentBreaches ?? 0) > 0) return { grade: 'C', reason: 'a commitment (告知承诺) breached' }
  if ((inputs.inspectionsUnqualified ?? 0) > 0) return { grade: 'C', reason: 'an annual inspection 不合格' }
  if ((inputs.samplingFailures ?? 0) > 0) return { grade: 'C', reason: 'a 双随机 inspection found a problem' }
  if (inputs.completions > 0 && inputs.passRate < t.C.passRate)
    return { grade: 'C', reason: `pass rate below ${t.C.passRate}` }
  if (inputs.completions > 0 && inputs.certificationRate < t.C.certificationRate)
    return { grade: 'C', reason: `certification rate below ${t.C.certificationRate}` }
  if (
    inputs.completions >= t.A.minCompletions &&
    inputs.passRate >= t.A.passRate &&
    inputs.certificationRate >= t.A.certificationRate &&
    (inputs.inspectionsBasic ?? 0) === 0
  )
    return { grade: 'A', reason: 'rates at or above the A thresholds' }
  return { grade: 'B', reason: 'no finding, rates between the C and A thresholds or too few completions' }
}
