import { HASH_SIZE, inclusionProof, type NodeId, type NodeReader } from '@trec/merkle'

// Inclusion proofs for many leaves with one database read: a first pass runs the proof
// recursion (RFC 9162 §2.1.3.1, in @trec/merkle) against a reader that only notes which nodes it
// asks for, one query fetches them all, and a second pass builds the proofs from memory.

const key = (id: NodeId) => `${id.level}/${id.index}`

export async function inclusionProofs(
  store: NodeReader,
  indexes: readonly number[],
  size: number,
): Promise<Uint8Array[][]> {
  const wanted = new Map<string, NodeId>()
  const dummy = new Uint8Array(HASH_SIZE)
  const recorder: NodeReader = {
    async getNodes(ids) {
      for (const id of ids) wanted.set(key(id), id)
      return ids.map(() => dummy)
    },
  }
  for (const index of indexes) await inclusionProof(recorder, index, size)
  const ids = [...wanted.values()]
  const hashes = await store.getNodes(ids)
  const known = new Map(ids.map((id, i) => [key(id), hashes[i]]))
  const memory: NodeReader = { getNodes: async (list) => list.map((id) => known.get(key(id))) }
  const proofs: Uint8Array[][] = []
  for (const index of indexes) proofs.push(await inclusionProof(memory, index, size))
  return proofs
}
