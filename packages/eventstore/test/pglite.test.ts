import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { runEventStoreContract } from '../test-support/contract.ts'

runEventStoreContract('PGlite (embedded, in memory)', () => openPGliteEventStore())
