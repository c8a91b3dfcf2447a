import type { Decider } from '@trec/command'
import { decideAssessmentResult, type RecordAssessmentResult } from './assessment-result.ts'
import { decideIssue, decideRevoke, type IssueCertificate, type RevokeCertificate } from './certificate.ts'
import { type CompleteTraining, decideCompletion } from './completion.ts'
import { type AssessmentEvent, type AssessmentState, evolve, initialState } from './state.ts'

// One decider for a worker's `assessment-{worker}` stream. Everything read from other streams
// (class schedule, enrolment, attendance, the serial registry) and the clock come in the command.

export type AssessmentCommand =
  | CompleteTraining
  | RecordAssessmentResult
  | IssueCertificate
  | RevokeCertificate

export const assessmentDecider: Decider<AssessmentState, AssessmentCommand, AssessmentEvent> = {
  initialState,
  evolve,
  decide(command, state) {
    switch (command.type) {
      case 'CompleteTraining':
        return decideCompletion(command, state)
      case 'RecordAssessmentResult':
        return decideAssessmentResult(command, state)
      case 'IssueCertificate':
        return decideIssue(command, state)
      case 'RevokeCertificate':
        return decideRevoke(command, state)
    }
  },
}
