export type { Decider, RuleViolation } from './decider.ts'
export { check, reject } from './decider.ts'
export type { HandleOptions, HandleResult, StreamState } from './handler.ts'
export { handleCommand, loadState } from './handler.ts'
