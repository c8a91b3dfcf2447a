export { type CoalescingOptions, coalesceAppends } from './coalesce.ts'
export { pollFeed } from './feed.ts'
export type { CopyIn, Query, SqlExecutor } from './sql/executor.ts'
export { migrateOnce } from './sql/migrate.ts'
export { isDatabaseUnavailable } from './sql/unavailable.ts'
export type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  FeedBatch,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
} from './types.ts'
export type { Limits, PreparedEvents } from './validate.ts'
export {
  assertEvents,
  assertExpectedRevision,
  assertStreamAppends,
  assertStreamName,
  categoryOf,
  defaultLimits,
  prepareEvents,
} from './validate.ts'
export { Wake } from './wake.ts'
