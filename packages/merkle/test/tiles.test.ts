import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HASH_SIZE, leafHash } from '../src/hash.ts'
import { parseTilePath, TileNodeReader, tileNodes, tilePath, tileWidthAt } from '../src/tiles.ts'
import { CompactTree, consistencyProof, inclusionProof, MemoryNodeStore, rootAt } from '../src/tree.ts'

// Tiles (C2SP tlog-tiles): paths in their one spelling, widths at a tree size, and a mirror made
// of tiles alone giving the same roots and proofs as the full node store, across tile levels 0–2.

describe('tile paths', () => {
  it('writes the index in groups of three digits, all but the last prefixed with x', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067')
    expect(tilePath({ level: 1, index: 5, width: 256 })).toBe('tile/1/005')
    expect(tilePath({ level: 2, index: 1000, width: 7 })).toBe('tile/2/x001/000.p/7')
  })

  it('reads back only that spelling', () => {
    for (const tile of [
      { level: 0, index: 0, width: 256 },
      { level: 3, index: 999, width: 1 },
      { level: 1, index: 1_000_000, width: 255 },
    ])
      expect(parseTilePath(tilePath(tile))).toEqual(tile)
    for (const path of [
      'tile/0/5',
      'tile/0/x000/005',
      'tile/0/005.p/256',
      'tile/0/005.p/0',
      'tile/0/005.p/07',
      'tile/00/005',
      'tile/64/005',
      'tile/0/x12/345',
      'tile/entries/000',
      'tile/0/005/',
    ])
      expect(parseTilePath(path), path).toBeUndefined()
  })

  it('knows how many hashes a tile has at a tree size', () => {
    expect(tileWidthAt(0, 0, 255)).toBe(255)
    expect(tileWidthAt(0, 0, 256)).toBe(256)
    expect(tileWidthAt(0, 1, 256)).toBe(0)
    expect(tileWidthAt(1, 0, 256 * 3 + 5)).toBe(3)
    expect(tileWidthAt(2, 0, 65_535)).toBe(0)
    expect(tileNodes({ level: 1, index: 2, width: 2 })).toEqual([
      { level: 8, index: 512 },
      { level: 8, index: 513 },
    ])
  })
})

describe('a mirror made of tiles', () => {
  it('gives the roots and proofs of the full tree, fetching each tile once', async () => {
    const size = 66_000 // level-2 tiles: one full level-0 row of 256 level-1 tiles and more
    const store = new MemoryNodeStore()
    const tree = CompactTree.empty()
    for (let i = 0; i < size; i += 1)
      await store.putNodes(tree.append(leafHash(createHash('sha256').update(`leaf ${i}`).digest())))
    let fetched = 0
    const fetch = async (tile: Parameters<typeof tileNodes>[0]) => {
      fetched += 1
      expect(tile.width).toBe(tileWidthAt(tile.level, tile.index, size))
      const hashes = await store.getNodes(tileNodes(tile))
      return Buffer.concat(hashes.map((h) => h!))
    }
    const mirror = new TileNodeReader(size, fetch)
    expect(await rootAt(mirror, size)).toEqual(tree.root())
    let seed = 1
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647
      return seed % n
    }
    for (let k = 0; k < 300; k += 1) {
      const m = 1 + random(size)
      const index = random(m)
      expect(await inclusionProof(mirror, index, m)).toEqual(await inclusionProof(store, index, m))
      expect(await consistencyProof(mirror, m, size)).toEqual(await consistencyProof(store, m, size))
      expect(await rootAt(mirror, m)).toEqual(await rootAt(store, m))
    }
    expect(fetched).toBe(mirror.tilesFetched)
  })

  it('refuses a tile of the wrong length', async () => {
    const mirror = new TileNodeReader(300, async () => new Uint8Array(HASH_SIZE * 3))
    await expect(mirror.getNodes([{ level: 0, index: 1 }])).rejects.toThrow(/Tile tile\/0\/000 has 96 bytes/)
  })
})
