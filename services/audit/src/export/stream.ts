import { createHash } from 'node:crypto'
import { cryptoProfile } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import { consistencyProof } from '@trec/merkle'
import { leafText } from '../leaf.ts'
import type { Selection } from '../selection.ts'
import type { AuditDb, LeafRow, StoredCheckpoint } from '../sql/audit-db.ts'
import { EXPORT_FORMAT, type ExportHeader } from '../verify/header.ts'
import { readLeafEvents } from './events.ts'
import { inclusionProofs } from './proofs.ts'

// An export as NDJSON: the header (line 1), then one line per event in leaf order,
// `{"event":<leaf>,"index":n,"proof":[…]}` — the RFC 8785 form of that object, so the event's
// bytes in the line are exactly the leaf the log hashed. Lines are produced in chunks: one read
// of the events and one of the tree nodes per chunk.

const CHUNK = 512
const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

export function leafIndexDigest(leaves: readonly LeafRow[]): string {
  const hash = createHash(cryptoProfile().hash)
  const bytes = Buffer.alloc(8)
  for (const leaf of leaves) {
    bytes.writeBigUInt64BE(BigInt(leaf.idx))
    hash.update(bytes)
  }
  return hash.digest('hex')
}

export async function exportHeader(
  log: AuditDb,
  checkpoint: StoredCheckpoint,
  selection: Selection,
  leaves: readonly LeafRow[],
  consistencyWith: readonly number[],
  access: { eventId: string; stream: string },
  exportedAt: Date,
): Promise<ExportHeader> {
  const nodes = log.nodes()
  const consistency: ExportHeader['consistency'] = []
  for (const other of new Set(consistencyWith)) {
    if (other === checkpoint.size) continue
    const [from, to] = other < checkpoint.size ? [other, checkpoint.size] : [checkpoint.size, other]
    consistency.push({ from, to, proof: (await consistencyProof(nodes, from, to)).map(b64) })
  }
  return {
    format: EXPORT_FORMAT,
    checkpoint: { size: checkpoint.size, note: checkpoint.note, jws: checkpoint.jws },
    selection,
    events: leaves.length,
    leafIndexDigest: leafIndexDigest(leaves),
    consistency,
    access,
    exportedAt: exportedAt.toISOString(),
  }
}

export async function* exportLines(
  log: AuditDb,
  store: EventStore,
  header: ExportHeader,
  leaves: readonly LeafRow[],
): AsyncGenerator<string> {
  yield `${JSON.stringify(header)}\n`
  const nodes = log.nodes()
  for (let i = 0; i < leaves.length; i += CHUNK) {
    const chunk = leaves.slice(i, i + CHUNK)
    const [events, proofs] = await Promise.all([
      readLeafEvents(store, chunk),
      inclusionProofs(
        nodes,
        chunk.map((l) => l.idx),
        header.checkpoint.size,
      ),
    ])
    let text = ''
    for (const [k, leaf] of chunk.entries()) {
      const proof = proofs[k]!.map((h) => `"${b64(h)}"`).join(',')
      text += `{"event":${leafText(events[k]!)},"index":${leaf.idx},"proof":[${proof}]}\n`
    }
    yield text
  }
}
