import type { KeyObject } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import type { RecordedEvent } from '@trec/eventstore'
import {
  CompactTree,
  createCheckpointSigner,
  inclusionProof,
  leafHash,
  MemoryNodeStore,
  signCheckpointJws,
  signCheckpointNote,
  withCryptoProfile,
} from '@trec/merkle'
import { leafIndexDigest } from '../src/export/stream.ts'
import { leafText } from '../src/leaf.ts'
import { EXPORT_FORMAT, type ExportHeader } from '../src/verify/header.ts'
import { faceCheck } from './events.ts'

// A large export written the way the service writes one (same header, same line format, proofs
// from @trec/merkle), but from a tree built in memory, so the verifier can be timed on a million
// events without first appending them to a store.

export async function writeSyntheticExport(
  file: string,
  count: number,
  origin: string,
  privateKey: KeyObject,
  /** Tests: changes leaf `k`'s text (given the texts of the leaves before it) before it is logged. */
  leaf?: (k: number, text: string, earlier: readonly string[]) => string,
): Promise<{ bytes: number }> {
  const store = new MemoryNodeStore()
  const tree = CompactTree.empty()
  const texts: string[] = []
  const t0 = Date.parse('2024-04-08T00:00:00Z')
  for (let k = 0; k < count; k++) {
    const { stream, event } = faceCheck(k)
    const recorded: RecordedEvent = {
      ...event,
      stream,
      revision: Math.floor(k / 10_000),
      position: BigInt(k + 1) << 20n,
      metadata: event.metadata ?? {},
      recordedAt: new Date(t0 + k).toISOString(),
    }
    const text = leaf ? leaf(k, leafText(recorded), texts) : leafText(recorded)
    texts.push(text)
    await store.putNodes(tree.append(leafHash(Buffer.from(text))))
  }
  const signer = await createCheckpointSigner({ name: origin, privateKey })
  const checkpoint = withCryptoProfile({ origin, size: count, root: tree.root(), timestamp: Date.now() })
  const leaves = texts.map((_, idx) => ({ idx, eventId: '', position: 0n }))
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    checkpoint: {
      size: count,
      note: await signCheckpointNote(checkpoint, signer),
      jws: await signCheckpointJws(checkpoint, signer),
    },
    selection: {
      kind: 'region',
      region: '13',
      from: '2024-01-01T00:00:00.000Z',
      to: '2025-01-01T00:00:00.000Z',
    },
    events: count,
    leafIndexDigest: leafIndexDigest(leaves),
    consistency: [],
    access: { eventId: '00000000-0000-4000-8000-000000000000', stream: 'access-audit' },
    exportedAt: new Date().toISOString(),
  }
  const out = createWriteStream(file)
  let bytes = 0
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s)
    if (!out.write(s)) await once(out, 'drain')
  }
  await write(`${JSON.stringify(header)}\n`)
  for (let i = 0; i < count; i++) {
    const proof = (await inclusionProof(store, i, count))
      .map((h) => `"${Buffer.from(h).toString('base64')}"`)
      .join(',')
    await write(`{"event":${texts[i]},"index":${i},"proof":[${proof}]}\n`)
  }
  out.end()
  await once(out, 'finish')
  return { bytes }
}
