import type { RecordedEvent } from '@trec/eventstore'
import type { CompactTree } from '@trec/merkle'
import { eventLeafHash } from '../leaf.ts'
import { CopyRows, copyBytea, copyText } from '../sql/copy-rows.ts'
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
  /** The leaf rows, in COPY text format (sql/copy-rows.ts). */
  leaves: CopyRows
  /** The reference rows, in COPY text format. */
  refs: CopyRows
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
  const leaves = new CopyRows()
  const refs = new CopyRows()
  const heads: DueHead[] = []
  let last = lastHeadSize
  for (const event of events) {
    const index = String(tree.size)
    const completed = tree.append(eventLeafHash(event))
    let parents = ''
    for (let i = 1; i < completed.length; i++) parents += hex(completed[i]!.hash)
    const about = refsOf(event)
    leaves.add(
      index,
      event.id,
      event.position.toString(),
      copyBytea(hex(completed[0]!.hash)),
      copyBytea(parents),
      copyText(about.worker),
      copyText(about.class),
      copyText(about.claim),
      copyText(about.region),
      copyText(about.occurredAt),
    )
    for (const [kind, key] of about.refs) refs.add(kind, copyText(key), index)
    if (tree.size - last >= every) {
      heads.push({ size: tree.size, root: tree.root() })
      last = tree.size
    }
  }
  return { leaves, refs, heads, feedPosition: events.at(-1)!.position }
}
