import { gradeAtLeast } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { computeIntegrityGrade, exampleGradeThresholds } from '../src/grades/integrity-grade.ts'

const good = {
  completions: 50,
  passRate: 0.95,
  certificationRate: 0.85,
  confirmedFraud: 0,
  sanctionsInForce: 0,
}
const grade = (over: Partial<typeof good>) =>
  computeIntegrityGrade({ ...good, ...over }, exampleGradeThresholds).grade

describe('诚信等级 from KPIs and findings (example thresholds, not in the seeds)', () => {
  it('grades A at or above the A thresholds with enough completions', () => {
    expect(grade({})).toBe('A')
    expect(grade({ passRate: 0.9, certificationRate: 0.8, completions: 30 })).toBe('A')
  })
  it('grades B below A, or with too few completions to judge', () => {
    expect(grade({ passRate: 0.89 })).toBe('B')
    expect(grade({ completions: 29 })).toBe('B')
    expect(grade({ completions: 0, passRate: 0, certificationRate: 0 })).toBe('B')
  })
  it('grades C for one confirmed fraud or rates below the C thresholds', () => {
    expect(grade({ confirmedFraud: 1 })).toBe('C')
    expect(grade({ passRate: 0.59 })).toBe('C')
    expect(grade({ certificationRate: 0.39 })).toBe('C')
  })
  it('grades D for a sanction in force or repeated confirmed fraud', () => {
    expect(grade({ sanctionsInForce: 1 })).toBe('D')
    expect(grade({ confirmedFraud: 2 })).toBe('D')
    expect(computeIntegrityGrade({ ...good, sanctionsInForce: 1 }, exampleGradeThresholds).reason).toMatch(
      /sanction/,
    )
  })
  it('orders grades A best', () => {
    expect(gradeAtLeast('B', 'C')).toBe(true)
    expect(gradeAtLeast('C', 'C')).toBe(true)
    expect(gradeAtLeast('D', 'C')).toBe(false)
  })
})
