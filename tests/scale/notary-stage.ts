import { startNotary } from '@trec/audit'
import { cryptoProfile } from '@trec/core'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { progress } from './progress.ts'

export interface NotaryFigures {
  /** The Merkle tree's size when it had caught up. */
  size: number
  ms: number
}

/**
 * The audit notary from zero over the whole store: feed batches of 1,000, one transaction each
 * (leaf rows, references, state), a signed checkpoint every 1,000 leaves (its defaults), with
 * a fresh Ed25519 key.
 */
export async function notaryStage(
  db: SqlExecutor,
  store: EventStore,
  schema: string,
  total: number,
): Promise<NotaryFigures> {
  const key = cryptoProfile().signature.generateKeyPair()
  const bar = progress('audit notary')
  const started = performance.now()
  const notary = await startNotary({
    store,
    db,
    schema,
    signing: {
      origin: 'scale.trec.example/audit-log',
      keys: [{ privateKey: key.privateKey, notBefore: new Date('2020-01-01T00:00:00Z') }],
    },
    onError: (error) => console.error('\naudit notary:', error),
  })
  const ticker = setInterval(() => bar.update(notary.status().size, total), 500)
  try {
    await notary.sync()
  } finally {
    clearInterval(ticker)
  }
  const ms = performance.now() - started
  const size = notary.status().size
  bar.update(size, total)
  bar.finish()
  await notary.stop()
  return { size, ms }
}
