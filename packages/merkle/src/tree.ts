// An append-only RFC 9162 Merkle tree kept as two parts:
//
// - `CompactTree`, in memory: only the "frontier" (compact range), the roots of the perfect
//   subtrees that cover leaves [0, size), one per set bit of the size, largest first. Appending a
//   leaf merges equal-height roots like binary addition: O(log n) hashes, and it reports every
//   perfect subtree it completed so the caller can persist it.
// - a `NodeStore`, owned by the caller (PostgreSQL later, memory in tests): every perfect subtree
//   hash by its coordinates (level, index), covering leaves [index·2^level, (index+1)·2^level).
//   Level 0 holds the leaf hashes. Nodes are immutable once written: a perfect subtree never
//   changes as the tree grows.
//
// From the stored perfect subtrees, root(m), inclusion proofs (RFC 9162 §2.1.3.1) and consistency
// proofs (§2.1.4.1) for any size m ≤ n need O(log n) node reads, fetched in one `getNodes` call.
// Why: in the RFC's recursions every proof element is MTH of a perfect subtree except at most one,
// the right-border subtree [k, m), and that one is the fold of at most log2(m) perfect subtrees.

import { TrecError } from '@trec/core'
import { emptyRoot, HASH_SIZE, nodeHash } from './hash.ts'

/** A perfect subtree: leaves [index·2^level, (index+1)·2^level). Level 0 are the leaves. */
export interface NodeId {
  readonly level: number
  readonly index: number
}

export interface TreeNode extends NodeId {
  readonly hash: Uint8Array
}

/**
 * Where the perfect-subtree hashes live. An adapter keeps them in a table keyed by (level, index);
 * writes are idempotent (a node's hash never changes), so re-putting a node is harmless.
 */
export interface NodeStore {
  /** The hashes of the given nodes, in the same order; `undefined` where a node is not stored. */
  getNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]>
  putNodes(nodes: readonly TreeNode[]): Promise<void>
}

/** What proof generation needs from a store. */
export type NodeReader = Pick<NodeStore, 'getNodes'>

/** A NodeStore in memory, for tests and small tools. Counts reads so tests can check O(log n). */
export class MemoryNodeStore implements NodeStore {
  readonly #nodes = new Map<string, Uint8Array>()
  /** How many node hashes have been asked for, in total. */
  nodeReads = 0

  async getNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    this.nodeReads += ids.length
    return ids.map((id) => this.#nodes.get(nodeKey(id)))
  }

  async putNodes(nodes: readonly TreeNode[]): Promise<void> {
    for (const node of nodes) this.#nodes.set(nodeKey(node), node.hash)
  }

  get size(): number {
    return this.#nodes.size
  }
}

/** The frontier of an append-only tree: enough to append and to give the current root. */
export class CompactTree {
  #size: number
  readonly #frontier: TreeNode[]
  #root: Uint8Array | undefined

  private constructor(size: number, frontier: TreeNode[]) {
    this.#size = size
    this.#frontier = frontier
  }

  static empty(): CompactTree {
    return new CompactTree(0, [])
  }

  /** Rebuilds the frontier of a tree of `size` leaves from a store: popcount(size) node reads. */
  static async load(store: NodeReader, size: number): Promise<CompactTree> {
    checkSize('size', size)
    const ids = rangeNodes(0, size)
    const hashes = await readNodes(store, ids)
    return new CompactTree(
      size,
      ids.map((id, i) => ({ ...id, hash: hashes[i]! })),
    )
  }

  get size(): number {
    return this.#size
  }

  /** The perfect subtrees covering [0, size), largest (leftmost) first. */
  get frontier(): readonly TreeNode[] {
    return this.#frontier
  }

  /**
   * Appends one leaf hash (see `leafHash`) and returns the nodes this completed: the leaf itself
   * at level 0, then one parent per merge (as many as the trailing 1-bits of the old size,
   * RFC 9162 §2.1.2). The caller persists them before it relies on the new size.
   */
  append(hash: Uint8Array): TreeNode[] {
    if (hash.length !== HASH_SIZE) {
      throw new TrecError('TREC_VALIDATION', 'A leaf hash must be 32 bytes.', {
        issues: [{ path: ['leafHash'], code: 'bad_length', message: `got ${hash.length} bytes, want 32` }],
      })
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new TrecError('TREC_VALIDATION', 'The tree is full.', { details: { size: this.#size } })
    }
    let node: TreeNode = { level: 0, index: this.#size, hash }
    const completed = [node]
    let last = this.#frontier.at(-1)
    while (last !== undefined && last.level === node.level) {
      this.#frontier.pop()
      node = { level: node.level + 1, index: last.index / 2, hash: nodeHash(last.hash, node.hash) }
      completed.push(node)
      last = this.#frontier.at(-1)
    }
    this.#frontier.push(node)
    this.#size += 1
    this.#root = undefined
    return completed
  }

  /** MTH of the leaves so far (RFC 9162 §2.1.1): the frontier folded right to left. */
  root(): Uint8Array {
    this.#root ??= foldRight(this.#frontier.map((node) => node.hash)) ?? emptyRoot()
    return this.#root
  }
}

/** MTH(D[0:size]) from stored nodes: popcount(size) reads. */
export async function rootAt(store: NodeReader, size: number): Promise<Uint8Array> {
  checkSize('size', size)
  if (size === 0) return emptyRoot()
  const [root] = await rangeHashes(store, [[0, size]])
  return root!
}

/**
 * The audit path of leaf `index` in the tree of the first `size` leaves, PATH(index, D[0:size]) of
 * RFC 9162 §2.1.3.1: sibling hashes from the leaf up. Requires 0 ≤ index < size.
 */
export async function inclusionProof(store: NodeReader, index: number, size: number): Promise<Uint8Array[]> {
  checkSize('size', size)
  checkSize('index', index)
  if (index >= size) {
    throw new TrecError('TREC_VALIDATION', 'The leaf index must be below the tree size.', {
      issues: [
        { path: ['index'], code: 'out_of_range', message: `index ${index} is not below size ${size}` },
      ],
    })
  }
  // PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
  // Walked from the top, so the ranges come out root-first and are reversed at the end.
  const ranges: Range[] = []
  let start = 0
  let n = size
  let m = index
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n)
    if (m < k) {
      ranges.push([start + k, start + n])
      n = k
    } else {
      ranges.push([start, start + k])
      start += k
      m -= k
      n -= k
    }
  }
  return rangeHashes(store, ranges.reverse())
}

/**
 * The consistency proof between the trees of the first `size1` and `size2` leaves,
 * PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1. Requires 0 < size1 ≤ size2 (the RFC defines it
 * for 0 < m; equal sizes give the empty proof).
 */
export async function consistencyProof(
  store: NodeReader,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  checkSize('size1', size1)
  checkSize('size2', size2)
  if (size1 === 0 || size1 > size2) {
    throw new TrecError('TREC_VALIDATION', 'A consistency proof needs 0 < size1 ≤ size2.', {
      issues: [{ path: ['size1'], code: 'out_of_range', message: `size1 ${size1}, size2 ${size2}` }],
    })
  }
  // SUBPROOF(m, D_m, true) = {}; SUBPROOF(m, D_m, false) = {MTH(D_m)}; for m < n:
  // m ≤ k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
  const ranges: Range[] = []
  let start = 0
  let n = size2
  let m = size1
  let wholeOldTree = true
  while (m !== n) {
    const k = largestPowerOfTwoBelow(n)
    if (m <= k) {
      ranges.push([start + k, start + n])
      n = k
    } else {
      ranges.push([start, start + k])
      start += k
      m -= k
      n -= k
      wholeOldTree = false
    }
  }
  if (!wholeOldTree) ranges.push([start, start + n])
  return rangeHashes(store, ranges.reverse())
}

type Range = readonly [start: number, end: number]

function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`
}

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TrecError('TREC_VALIDATION', `${name} must be a non-negative safe integer.`, {
      issues: [{ path: [name], code: 'invalid_integer', message: `got ${value}` }],
    })
  }
}

/** k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * The perfect subtrees that make up [start, end), largest first. Every range the RFC recursions
 * produce starts at a multiple of a power of two at least as large as the range, so the pieces are
 * aligned; anything else is a bug here, hence the assertion.
 */
function rangeNodes(start: number, end: number): NodeId[] {
  const ids: NodeId[] = []
  let rest = end - start
  let width = 1
  let level = 0
  while (width * 2 <= rest) {
    width *= 2
    level += 1
  }
  let position = start
  while (rest > 0) {
    if (width <= rest) {
      if (position % width !== 0) throw new Error(`unaligned range [${start}, ${end})`)
      ids.push({ level, index: position / width })
      position += width
      rest -= width
    }
    width /= 2
    level -= 1
  }
  return ids
}

/** MTH of each range, reading every perfect subtree it needs in one batch. */
async function rangeHashes(store: NodeReader, ranges: readonly Range[]): Promise<Uint8Array[]> {
  const pieces = ranges.map(([start, end]) => rangeNodes(start, end))
  const unique = new Map<string, NodeId>()
  for (const id of pieces.flat()) unique.set(nodeKey(id), id)
  const ids = [...unique.values()]
  const hashes = await readNodes(store, ids)
  const byKey = new Map(ids.map((id, i) => [nodeKey(id), hashes[i]!]))
  return pieces.map((range) => foldRight(range.map((id) => byKey.get(nodeKey(id))!))!)
}

async function readNodes(store: NodeReader, ids: readonly NodeId[]): Promise<Uint8Array[]> {
  if (ids.length === 0) return []
  const hashes = await store.getNodes(ids)
  return ids.map((id, i) => {
    const hash = hashes[i]
    if (hash === undefined) {
      throw new TrecError('TREC_MERKLE_NODE_MISSING', 'A Merkle tree node is missing from the node store.', {
        details: { level: id.level, index: id.index },
      })
    }
    if (hash.length !== HASH_SIZE) throw new Error(`stored node ${nodeKey(id)} is ${hash.length} bytes`)
    return hash
  })
}

/**
 * Folds perfect-subtree hashes (largest, leftmost first) into the MTH of the range they cover:
 * MTH of a non-perfect range is HASH(0x01 || MTH(first piece) || MTH(rest)), RFC 9162 §2.1.1.
 */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array | undefined {
  let acc = hashes.at(-1)
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc!)
  return acc
}
