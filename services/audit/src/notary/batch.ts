import type { RecordedEvent } from '@trec/eventstore'
import type { CompactTree } from '@trec/merkle'
import { eventLeafHash } from '../leaf.ts'
import type { LeafColumns, RefColumns } from '../sql/audit-db.ts'
import { refsOf } from './refs.ts'

// One feed batch turned into rows: each event appended to the in-memory tree as a leaf (RFC 9162
// §2.1.2: the leaf, then one parent per trailing 1-bit of the old size — about one parent per
// leaf on average, never more than log2 n — all kept in the leaf's row), and the tree heads
// that fall due in the batch.

export interface DueHead {
  size: number
  root: Uint8Array
}

export interface BatchRows {
  leaves: LeafColumns
  refs: RefColumns
  /** Tree heads to sign: one each time `every` leaves have gone in since the last. */
  heads: DueHead[]
  /** Position of the batch's last event. */
  feedPosition: bigint
}

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

export function buildBatch(
  tree: CompactTree,
  events: readonly RecordedEvent[],
  every: number,
  lastHeadSize: number,
): BatchRows {
  const leaves: LeafColumns = {
    idx: [],
    eventId: [],
    position: [],
    hash: [],
    parents: [],
    worker: [],
    class: [],
    claim: [],
    region: [],
    occurredAt: [],
  }
  const refs: RefColumns = { kind: [], key: [], idx: [] }
  const heads: DueHead[] = []
  let last = lastHeadSize
  for (const event of events) {
    const index = String(tree.size)
    const completed = tree.append(eventLeafHash(event))
    leaves.idx.push(index)
    leaves.eventId.push(event.id)
    leaves.position.push(event.position.toString())
    leaves.hash.push(hex(completed[0]!.hash))
    const about = refsOf(event)
    leaves.worker.push(about.worker)
    leaves.class.push(about.class)
    leaves.claim.push(about.claim)
    leaves.region.push(about.region)
    leaves.occurredAt.push(about.occurredAt)
    let parents = ''
    for (let i = 1; i < completed.length; i++) parents += hex(completed[i]!.hash)
    leaves.parents.push(parents)
    for (const [kind, key] of about.refs) {
      refs.kind.push(kind)
      refs.key.push(key)
      refs.idx.push(index)
    }
    if (tree.size - last >= every) {
      heads.push({ size: tree.size, root: tree.root() })
      last = tree.size
    }
  }
  return { leaves, refs, heads, feedPosition: events.at(-1)!.position }
}
