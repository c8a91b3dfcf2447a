export type { KurrentDbEventStoreOptions, OpenKurrentDbEventStoreOptions } from './kurrentdb-event-store.ts'
export { KurrentDbEventStore, openKurrentDbEventStore } from './kurrentdb-event-store.ts'
