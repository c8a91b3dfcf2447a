// The tree as tiles, in the C2SP tlog-tiles layout, so anyone can mirror the log with plain GETs
// of static files and compute every proof offline.
//
// A tile is a row of up to 256 node hashes, 32 bytes each, concatenated: the tile at level L and
// index N holds the nodes at tree level 8·L with indexes 256·N to 256·N + W − 1 (each the hash of
// a perfect subtree of 256^L leaves). Level 0 tiles hold the leaf hashes. A full tile has W =
// 256; the rightmost tile of a tree whose size is not a multiple of its span is partial, with
// 1 ≤ W ≤ 255. Nodes between two tile levels are not stored: they are hashed from the row below
// (at most 7 levels, 128 hashes up). A tile's bytes never change, full or partial: one with more
// hashes has another path.
//
// Paths, relative to the log's prefix:   tile/<L>/<N>[.p/<W>]
// where <N> is written in groups of three decimal digits, every group but the last prefixed with
// "x" (1234067 → x001/x234/067; 5 → 005). Only that spelling is read back. The signed checkpoint
// is at `checkpoint`. The spec's entry bundles (tile/entries/…) are not part of this: a leaf of
// this log is an event envelope, which is not published; the leaf hashes of the level-0 tiles
// are enough to prove and check everything but an event's contents (exports carry those).

import { TrecError } from '@trec/core'
import { HASH_SIZE, nodeHash } from './hash.ts'
import type { NodeId, NodeReader } from './tree.ts'

/** Tree levels per tile level. */
export const TILE_HEIGHT = 8
/** Hashes in a full tile. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT

export interface TileId {
  /** Tile level: the tile holds tree nodes of level 8·level. */
  readonly level: number
  readonly index: number
  /** Hashes in the tile, 1 to 256. */
  readonly width: number
}

/** The tile's path below the log's prefix: `tile/<L>/<N>[.p/<W>]`. */
export function tilePath(tile: TileId): string {
  const digits = String(tile.index)
  const padded = digits.padStart(3 * Math.ceil(digits.length / 3), '0')
  const groups = padded.match(/\d{3}/g)!
  const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/')
  return `tile/${tile.level}/${n}${tile.width < TILE_WIDTH ? `.p/${tile.width}` : ''}`
}

/** Reads a tile path (below the prefix); undefined unless it is one, in its only spelling. */
export function parseTilePath(path: string): TileId | undefined {
  const match = /^tile\/(\d{1,2})\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/(\d{1,3}))?$/.exec(path)
  if (!match) return undefined
  const level = Number(match[1])
  const index = Number(`${match[2]!.replaceAll(/[x/]/g, '')}${match[3]}`)
  const width = match[4] === undefined ? TILE_WIDTH : Number(match[4])
  if (!Number.isSafeInteger(index) || level > 63 || width < 1 || width > TILE_WIDTH) return undefined
  const tile = { level, index, width }
  return tilePath(tile) === path ? tile : undefined
}

/** How many hashes tile (level, index) has in the tree of `treeSize` leaves: 0 to 256. */
export function tileWidthAt(level: number, index: number, treeSize: number): number {
  const nodes = Math.floor(treeSize / 2 ** (TILE_HEIGHT * level))
  return Math.max(0, Math.min(TILE_WIDTH, nodes - index * TILE_WIDTH))
}

/** The tree nodes a tile holds, in order. */
export function tileNodes(tile: TileId): NodeId[] {
  const level = TILE_HEIGHT * tile.level
  const first = tile.index * TILE_WIDTH
  return Array.from({ length: tile.width }, (_, i) => ({ level, index: first + i }))
}

/** Fetches one tile's bytes (width × 32). */
export type TileFetcher = (tile: TileId) => Promise<Uint8Array>

/**
 * The nodes of a tree of `treeSize` leaves, read from its tiles (each fetched once), for the
 * proof functions of tree.ts: a mirror of the log that computes any proof for sizes up to
 * `treeSize` offline. A node that is not a complete subtree of that tree is undefined.
 */
export class TileNodeReader implements NodeReader {
  readonly #treeSize: number
  readonly #fetch: TileFetcher
  readonly #tiles = new Map<string, Promise<Uint8Array>>()

  constructor(treeSize: number, fetch: TileFetcher) {
    this.#treeSize = treeSize
    this.#fetch = fetch
  }

  /** Tiles fetched so far. */
  get tilesFetched(): number {
    return this.#tiles.size
  }

  getNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    return Promise.all(ids.map((id) => this.#node(id)))
  }

  async #node({ level, index }: NodeId): Promise<Uint8Array | undefined> {
    const tileLevel = Math.floor(level / TILE_HEIGHT)
    const span = 2 ** (level % TILE_HEIGHT)
    const first = index * span
    const tileIndex = Math.floor(first / TILE_WIDTH)
    const width = tileWidthAt(tileLevel, tileIndex, this.#treeSize)
    if (first + span > tileIndex * TILE_WIDTH + width) return undefined
    const bytes = await this.#tile({ level: tileLevel, index: tileIndex, width })
    let row: Uint8Array[] = []
    for (let i = 0; i < span; i += 1) {
      const at = (first - tileIndex * TILE_WIDTH + i) * HASH_SIZE
      row.push(bytes.subarray(at, at + HASH_SIZE))
    }
    while (row.length > 1) row = row.flatMap((h, i) => (i % 2 === 0 ? [nodeHash(h, row[i + 1]!)] : []))
    return row[0]
  }

  #tile(tile: TileId): Promise<Uint8Array> {
    const path = tilePath(tile)
    let pending = this.#tiles.get(path)
    if (!pending) {
      pending = this.#fetch(tile).then((bytes) => {
        if (bytes.length !== tile.width * HASH_SIZE)
          throw new TrecError(
            'TREC_VALIDATION',
            `Tile ${path} has ${bytes.length} bytes; ${tile.width * HASH_SIZE} expected.`,
          )
        return bytes
      })
      this.#tiles.set(path, pending)
    }
    return pending
  }
}
