import type { Decider } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { computeIntegrityGrade } from './integrity-grade.ts'

// An officer records an institution's 诚信等级: the grade is computed here from the inputs and
// thresholds given (integrity-grade.ts), never typed, so every grade on the record re-derives.

export type GradeEvent = { type: 'InstitutionGraded'; data: EventData<'InstitutionGraded'> }
export type GradeCommand = Omit<EventData<'InstitutionGraded'>, 'grade' | 'grading'>

export const gradeDecider: Decider<{ count: number }, GradeCommand, GradeEvent> = {
  initialState: () => ({ count: 0 }),
  evolve: (state) => ({ count: state.count + 1 }),
  decide: (cmd) => [
    {
      type: 'InstitutionGraded',
      data: {
        ...cmd,
        grading: `grade-${cmd.institution}`,
        grade: computeIntegrityGrade(cmd.inputs, cmd.thresholds).grade,
      },
    },
  ],
}
