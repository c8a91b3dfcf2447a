export {
  type AccessEvent,
  AccessLog,
  accessEvent,
  accessLogUnavailable,
  type Reader,
  readAccessLog,
} from './access-log.ts'
export { assertCitedCase, type CitedCaseCheck, type CitedFor } from './cited-case.ts'
export type { Decider, RuleViolation } from './decider.ts'
export { check, reject } from './decider.ts'
export type { HandleOptions, HandleResult, StreamState } from './handler.ts'
export { handleCommand, loadState } from './handler.ts'
export type {
  Meta,
  MultiStreamDecision,
  MultiStreamOptions,
  MultiStreamResult,
  ReadRevision,
} from './multi-stream.ts'
export { handleMultiStreamCommand } from './multi-stream.ts'
export { appendedBefore, idList, isResumed, resultsByStream } from './resume.ts'
