import { certificateKinds } from '@trec/contracts'
import type { CompletionRecord } from './worker-compliance.ts'

// The performance KPIs of D2 and D3 (「以培训合格率、培训取证（含…五类证书）率、就业创业成功率为重点」),
// per institution, class, region and quarter (D0: 「每季度…开展绩效评估」), over completions:
//   培训合格率 = completions passed / completions
//   取证率 (per certificate kind) = completions followed by a certificate of that kind / completions
//   就业创业成功率 = completions followed by employment or self-employment in the window / completions
// A completion is a worker's latest TrainingCompleted for a class; the quarter is the quarter in
// China of its day. Each rate comes with its numerator and denominator.

export const kpiDimensions = ['institution', 'class', 'region', 'quarter'] as const
export type KpiDimension = (typeof kpiDimensions)[number]

export interface KpiRow {
  /** The group's value of each chosen dimension (null where the record lacks it). */
  key: Partial<Record<KpiDimension, string | null>>
  completions: number
  passed: number
  passRate: number
  /** Completions with a certificate of each kind. */
  certified: Record<string, number>
  certificationRate: Record<string, number>
  /** Completions with a certificate of any kind. */
  certifiedAny: number
  certificationRateAny: number
  employed: number
  employmentRate: number
}

/** Groups completions by the chosen dimensions (none: one row for all) and computes the KPIs. */
export function aggregateKpis(
  completions: readonly CompletionRecord[],
  by: readonly KpiDimension[],
): KpiRow[] {
  const groups = new Map<string, { key: KpiRow['key']; rows: CompletionRecord[] }>()
  for (const c of completions) {
    const key: KpiRow['key'] = {}
    for (const d of by) key[d] = c[d]
    const id = JSON.stringify(by.map((d) => c[d]))
    const group = groups.get(id) ?? { key, rows: [] }
    groups.set(id, group)
    group.rows.push(c)
  }
  const rate = (n: number, d: number) => (d === 0 ? 0 : n / d)
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { key, rows }]) => {
      const n = rows.length
      const certified: Record<string, number> = {}
      const certificationRate: Record<string, number> = {}
      for (const kind of certificateKinds) {
        certified[kind] = rows.filter((r) => r.certificateKinds.includes(kind)).length
        certificationRate[kind] = rate(certified[kind], n)
      }
      const passed = rows.filter((r) => r.passed).length
      const certifiedAny = rows.filter((r) => r.certificateKinds.length > 0).length
      const employed = rows.filter((r) => r.employed).length
      return {
        key,
        completions: n,
        passed,
        passRate: rate(passed, n),
        certified,
        certificationRate,
        certifiedAny,
        certificationRateAny: rate(certifiedAny, n),
        employed,
        employmentRate: rate(employed, n),
      }
    })
}
