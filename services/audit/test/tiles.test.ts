import type { AddressInfo } from 'node:net'
import {
  consistencyProof,
  inclusionProof,
  KeySet,
  rootAt,
  type TileId,
  TileNodeReader,
  tilePath,
  verifyCheckpointNote,
} from '@trec/merkle'
import { prng } from '@trec/readmodels/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allEvents, auditApp, checkpointKeyPair, notary, openLog, origin, seedHistory } from './support.ts'

// Public tiles (C2SP tlog-tiles): a mirror made only of `tlog/checkpoint` and `tlog/tile/…`,
// fetched with plain unauthenticated GETs over HTTP, gives the same root as the signed checkpoint
// and the same inclusion and consistency proofs as the API, for 1,000 random leaves.

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

describe('the log as public tiles', () => {
  const key = checkpointKeyPair()
  let base: string
  let token: string
  let size: number
  let eventIds: string[]
  let close: () => Promise<void>
  let gets = 0

  const plain = async (path: string) => {
    gets += 1
    return fetch(`${base}/v1/audit/tlog/${path}`)
  }
  const api = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status, path).toBe(200)
    return res.json()
  }

  beforeAll(async () => {
    const log = await openLog()
    await seedHistory(log.store, 60, 41)
    const n = await notary(log, {}, key)
    await n.sync()
    size = (await n.checkpoint())!.size
    // The log grows past its newest checkpoint: what is not signed yet is not published.
    await seedHistory(log.store, 2, 42)
    await n.sync()
    await n.stop()
    eventIds = (await allEvents(log.store)).map((e) => e.id)
    const { app, tokens } = await auditApp(log, key)
    await app.listen({ port: 0, host: '127.0.0.1' })
    close = () => app.close()
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
  })

  afterAll(async () => {
    await close?.()
  })

  it('mirrors the log from tiles alone: the same root and the same proofs as the API for 1,000 leaves', async () => {
    expect(size).toBeGreaterThan(512) // level-0 tiles, full and partial, and a partial level-1 tile
    expect(eventIds.length).toBeGreaterThan(size)
    const jwks = (await (await fetch(`${base}/v1/audit/keys.jwks`)).json()) as Parameters<
      typeof KeySet.fromJwks
    >[0]
    const keys = await KeySet.fromJwks(jwks)
    const note = await (await plain('checkpoint')).text()
    const checkpoint = verifyCheckpointNote(note, { origin, keys })
    if (!checkpoint.ok) throw new Error(checkpoint.message)
    expect(checkpoint.checkpoint.size).toBe(size)

    const mirror = new TileNodeReader(size, async (tile: TileId) => {
      const res = await plain(tilePath(tile))
      expect(res.status, tilePath(tile)).toBe(200)
      expect(res.headers.get('cache-control')).toContain('immutable')
      return new Uint8Array(await res.arrayBuffer())
    })
    expect(b64(await rootAt(mirror, size))).toBe(b64(checkpoint.checkpoint.root))

    const random = prng(27)
    const draws = Array.from({ length: 1000 }, () => ({
      index: Math.floor(random() * size),
      from: 1 + Math.floor(random() * size),
    }))
    // The API's answers, a few requests in flight at a time; the mirror's, computed offline.
    for (let at = 0; at < draws.length; at += 8) {
      const batch = draws.slice(at, at + 8)
      const answers = await Promise.all(
        batch.map(({ index, from }) =>
          Promise.all([
            api(`/v1/audit/proofs/inclusion?eventId=${eventIds[index]}&size=${size}`),
            api(`/v1/audit/proofs/consistency?from=${from}&to=${size}`),
          ]),
        ),
      )
      for (const [k, { index, from }] of batch.entries()) {
        const [inclusion, consistency] = answers[k]!
        const [leaf] = await mirror.getNodes([{ level: 0, index }])
        expect(inclusion).toMatchObject({
          leafIndex: index,
          leafHash: b64(leaf!),
          proof: (await inclusionProof(mirror, index, size)).map(b64),
        })
        expect(consistency).toMatchObject({
          fromRoot: b64(await rootAt(mirror, from)),
          toRoot: b64(checkpoint.checkpoint.root),
          proof: (await consistencyProof(mirror, from, size)).map(b64),
        })
      }
    }
    // Each tile fetched once: the checkpoint, every level-0 tile and the one level-1 tile.
    expect(mirror.tilesFetched).toBe(Math.ceil(size / 256) + 1)
    expect(gets).toBe(1 + mirror.tilesFetched)
  }, 300_000)

  it('serves nothing the newest checkpoint does not cover, and only tile paths', async () => {
    const last = Math.floor(size / 256)
    const beyond = await plain(tilePath({ level: 0, index: last, width: (size % 256) + 1 }))
    expect(beyond.status).toBe(404)
    expect(await beyond.json()).toMatchObject({ reason: 'beyond-checkpoint', treeSize: size })
    expect((await plain(tilePath({ level: 0, index: last + 1, width: 256 }))).status).toBe(404)
    expect((await plain(tilePath({ level: 0, index: last, width: size % 256 }))).status).toBe(200)
    for (const path of ['tile/0/0', 'tile/0/x000/000', 'tile/entries/000', 'tile/0/000.p/256'])
      expect((await plain(path)).status, path).toBe(404)
  })
})
