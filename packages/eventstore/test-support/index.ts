export type { StoreFactory } from './contract.ts'
export { runEventStoreContract } from './contract.ts'
export { kurrentDbForTests } from './kurrentdb-server.ts'
export { postgresForTests } from './servers.ts'
