import { useCryptoProfile } from '@trec/core'
// The published RFC 6962/9162 vectors (transparency-dev/merkle testdata, Apache-2.0), checked in
// beside this test: vectors/README.md says where they come from.

import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { leafHash } from '../src/hash.ts'
import { CompactTree, consistencyProof, inclusionProof, MemoryNodeStore, rootAt } from '../src/tree.ts'
import { verifyConsistency, verifyInclusion } from '../src/verify.ts'

// Published SHA-256 figures: these tests are of the international profile, whichever profile the
// suite runs under (TREC_CRYPTO_PROFILE=gm); the gm tree is checked in hash-profiles.test.ts.
useCryptoProfile('international')

const vectorsDir = resolve(import.meta.dirname, 'vectors')

interface InclusionProbe {
  leafIdx: number
  treeSize: number
  root: string
  leafHash: string
  proof: string[] | null
  desc: string
  wantErr: boolean
}

interface ConsistencyProbe {
  size1: number
  size2: number
  root1: string
  root2: string
  proof: string[] | null
  desc: string
  wantErr: boolean
}

interface Roots {
  leafInputsHex: string[]
  rootBySize: string[]
  nodeHashesByLevel: string[][]
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(dir, name))
    .sort()
}

function load<T>(file: string): T & { file: string } {
  return {
    ...(JSON.parse(readFileSync(file, 'utf8')) as T),
    file: relative(join(vectorsDir, 'testdata'), file),
  }
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'))
const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

describe('RFC 9162 published test vectors', async () => {
  const roots = load<Roots>(join(vectorsDir, 'roots.json'))
  const inclusion = jsonFiles(join(vectorsDir, 'testdata/inclusion')).map((f) => load<InclusionProbe>(f))
  const consistency = jsonFiles(join(vectorsDir, 'testdata/consistency')).map((f) =>
    load<ConsistencyProbe>(f),
  )

  const store = new MemoryNodeStore()
  const tree = CompactTree.empty()
  const rootsWhileAppending = [Buffer.from(tree.root()).toString('hex')]
  for (const input of roots.leafInputsHex) {
    await store.putNodes(tree.append(leafHash(Buffer.from(input, 'hex'))))
    rootsWhileAppending.push(Buffer.from(tree.root()).toString('hex'))
  }

  it('has the probes it should (98 inclusion, 98 consistency, 9 roots)', () => {
    expect(inclusion).toHaveLength(98)
    expect(consistency).toHaveLength(98)
    expect(roots.rootBySize).toHaveLength(9)
  })

  it('the incremental tree gives the published root at every size 0–8', () => {
    expect(rootsWhileAppending).toEqual(roots.rootBySize)
  })

  it('the roots recomputed from stored nodes match the published roots 0–8', async () => {
    for (const [size, root] of roots.rootBySize.entries()) {
      expect(Buffer.from(await rootAt(store, size)).toString('hex'), `size ${size}`).toBe(root)
    }
  })

  it('the stored perfect-subtree hashes are the published node hashes, level by level', async () => {
    for (const [level, hashes] of roots.nodeHashesByLevel.entries()) {
      const got = await store.getNodes(hashes.map((_, index) => ({ level, index })))
      expect(
        got.map((hash) => Buffer.from(hash!).toString('hex')),
        `level ${level}`,
      ).toEqual(hashes)
    }
    expect(store.size).toBe(roots.nodeHashesByLevel.flat().length)
  })

  describe('every inclusion probe verifies or fails as published', () => {
    it.each(inclusion.map((p) => [p.file, p] as const))('%s', (_, p) => {
      const result = verifyInclusion(
        b64(p.leafHash),
        p.leafIdx,
        p.treeSize,
        (p.proof ?? []).map(b64),
        b64(p.root),
      )
      expect(result.ok, `${p.desc}: ${JSON.stringify(result)}`).toBe(!p.wantErr)
      if (!result.ok) expect(result.message).not.toBe('')
    })
  })

  describe('every consistency probe verifies or fails as published', () => {
    it.each(consistency.map((p) => [p.file, p] as const))('%s', (_, p) => {
      const result = verifyConsistency(p.size1, p.size2, (p.proof ?? []).map(b64), b64(p.root1), b64(p.root2))
      expect(result.ok, `${p.desc}: ${JSON.stringify(result)}`).toBe(!p.wantErr)
    })
  })

  it('the proofs generated from the stored tree are the published happy-path proofs, byte for byte', async () => {
    const happyInclusion = inclusion.filter((p) => /^inclusion\/\d\/happy-path\.json$/.test(p.file))
    const happyConsistency = consistency.filter((p) => /^consistency\/\d\/happy-path\.json$/.test(p.file))
    expect(happyInclusion).toHaveLength(5)
    expect(happyConsistency).toHaveLength(5)
    for (const p of happyInclusion) {
      const leaf = await store.getNodes([{ level: 0, index: p.leafIdx }])
      expect(toB64(leaf[0]!), p.file).toBe(p.leafHash)
      expect(toB64(await rootAt(store, p.treeSize)), p.file).toBe(p.root)
      expect((await inclusionProof(store, p.leafIdx, p.treeSize)).map(toB64), p.file).toEqual(p.proof ?? [])
    }
    for (const p of happyConsistency) {
      expect(toB64(await rootAt(store, p.size1)), p.file).toBe(p.root1)
      expect(toB64(await rootAt(store, p.size2)), p.file).toBe(p.root2)
      expect((await consistencyProof(store, p.size1, p.size2)).map(toB64), p.file).toEqual(p.proof ?? [])
    }
  })

  it('the failure reasons name what is wrong with the classic mutations', () => {
    const reasonOf = (file: string) => {
      const p = [...inclusion, ...consistency].find((probe) => probe.file === file)!
      const result =
        'leafIdx' in p
          ? verifyInclusion(b64(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(b64), b64(p.root))
          : verifyConsistency(p.size1, p.size2, (p.proof ?? []).map(b64), b64(p.root1), b64(p.root2))
      return result.ok ? 'ok' : result.reason
    }
    expect(reasonOf('inclusion/1/trailing-garbage.json')).toBe('bad-hash-length')
    expect(reasonOf('inclusion/1/trailing-root.json')).toBe('wrong-proof-length')
    expect(reasonOf('inclusion/1/removed-component.json')).toBe('wrong-proof-length')
    expect(reasonOf('inclusion/1/modified-proof[0]-bit-@3.json')).toBe('root-mismatch')
    expect(reasonOf('inclusion/0/leafIdx-sub-@1.json')).toBe('invalid-argument')
    expect(reasonOf('inclusion/0/leafIdx-plus-@1.json')).toBe('index-out-of-range')
    expect(reasonOf('consistency/1/truncated-proof.json')).toBe('wrong-proof-length')
    expect(reasonOf('consistency/2/swapped-roots.json')).toBe('first-root-mismatch')
    expect(reasonOf('consistency/additional/size1-is-greater-than-size2.json')).toBe('size-decreased')
    expect(reasonOf('consistency/additional/size1-is-zero-and-size2-is-not-zero.json')).toBe(
      'empty-first-tree',
    )
  })
})
