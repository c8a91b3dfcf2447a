// What other packages' tests use of the oversight read side: an embedded store with its read
// models, and the alerts the detectors raised in it.
export type { AlertRecord, Embedded } from './embedded.ts'
export { alertsOf, allEvents, embedded } from './embedded.ts'
