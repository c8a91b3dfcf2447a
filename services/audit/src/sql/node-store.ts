import type { Query } from '@trec/eventstore'
import type { NodeId, NodeReader } from '@trec/merkle'
import { quoteIdent } from './schema.ts'

// The perfect-subtree hashes of the audit tree in SQL, as @trec/merkle's `NodeReader`: level 0
// is a leaf's hash, and node (level L ≥ 1, index j) is the L-th hash in `parents` of leaf
// (j + 1)·2^L − 1, the leaf whose append completed it (schema.ts). Every read the tree code
// makes (a frontier, a root, a proof) is one round trip. Writing happens with the leaves, in
// the notary's transaction (audit-db.ts).

/** bytea comes back as a Buffer from pg and a Uint8Array from PGlite. */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value
  throw new Error(`expected bytea, got ${typeof value}`)
}

/** The leaf whose append completed node (level, index). */
export function completingLeaf(id: NodeId): number {
  return (id.index + 1) * 2 ** id.level - 1
}

export class SqlNodeStore implements NodeReader {
  readonly #query: Query
  readonly #s: string

  constructor(query: Query, schema: string) {
    this.#query = query
    this.#s = quoteIdent(schema)
  }

  async getNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    if (ids.length === 0) return []
    const rows = await this.#query<{ level: number; idx: string; hash: unknown }>(
      `select q.level, q.idx::text as idx,
              case when q.level = 0 then l.hash else substring(l.parents from (q.level - 1) * 32 + 1 for 32) end as hash
         from unnest($1::int4[], $2::int8[], $3::int8[]) as q(level, idx, leaf)
         join ${this.#s}.leaves l on l.idx = q.leaf`,
      [
        ids.map((id) => id.level),
        ids.map((id) => String(id.index)),
        ids.map((id) => String(completingLeaf(id))),
      ],
    )
    const found = new Map<string, Uint8Array>()
    for (const r of rows) {
      const hash = toBytes(r.hash)
      if (hash.length === 32) found.set(`${r.level}/${r.idx}`, hash)
    }
    return ids.map((id) => found.get(`${id.level}/${id.index}`))
  }
}
