import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeySet } from '@trec/merkle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeSyntheticExport } from '../bench/synthetic-export.ts'
import { type Progress, verifyFile } from '../src/verify/run.ts'
import type { VerifyResult } from '../src/verify/verifier.ts'
import { checkpointKeyPair, origin, verifyText } from './support.ts'

// How the bytes reach the verifier must not change its answer: a file read straight into the run
// buffers or chunks copied into them; one thread or several; runs of the default size, of a few
// lines, or smaller than one line (the buffer then grows). Run buffers go to the threads and come
// back to be filled again, so a later run must never see an earlier run's bytes.

const count = 300
let dir: string
let file: string
let text: Buffer
let keys: KeySet

beforeAll(async () => {
  const key = checkpointKeyPair()
  dir = await mkdtemp(join(tmpdir(), 'trec-verify-runs-'))
  file = join(dir, 'export.ndjson')
  await writeSyntheticExport(file, count, origin, key.privateKey)
  text = await readFile(file)
  keys = await KeySet.create([{ name: origin, publicKey: key.publicKey, notBefore: new Date(0) }])
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The answer but for the count of node hashes, which depends on where the runs split. */
const answer = (result: VerifyResult) =>
  result.ok ? { ...result, report: { ...result.report, nodeHashes: undefined } } : result

const ways = [
  { threads: 1 },
  { threads: 1, runBytes: 700 },
  { threads: 2, runBytes: 700 },
  { threads: 2, runBytes: 5000 },
  { threads: 3, runBytes: 16_384 },
]

describe('reading an export into runs', () => {
  it('gives the same report from a file and from chunks, whatever the threads and run size', async () => {
    const lineLength = text.indexOf(10, text.indexOf(10) + 1) - text.indexOf(10)
    expect(lineLength).toBeGreaterThan(700) // so runs of 700 bytes must grow
    const reference = answer(await verifyText(text, keys))
    expect(reference).toMatchObject({ ok: true, report: { events: count } })
    for (const options of ways) {
      const progress: Progress[] = []
      const fromFile = await verifyFile(file, { trust: { origin, keys }, ...options }, (p) =>
        progress.push(p),
      )
      expect(answer(fromFile), JSON.stringify(options)).toEqual(reference)
      expect(progress.at(-1)!.bytes).toBe(text.length)
      expect(answer(await verifyText(text, keys, options)), JSON.stringify(options)).toEqual(reference)
    }
  })

  it('names the same first failure for a flipped byte late in the file, however it is read', async () => {
    const bad = Buffer.from(text)
    const line = count - 3 + 2 // leaf count − 3; line 1 is the header
    let at = 0
    for (let k = 1; k < line; k++) at = bad.indexOf(10, at) + 1
    const hashAt = bad.indexOf('"checkedAt":"2024', at) + 14
    bad[hashAt] = bad[hashAt] === 0x31 ? 0x32 : 0x31
    const badFile = join(dir, 'bad.ndjson')
    await writeFile(badFile, bad)
    for (const options of ways) {
      const result = await verifyFile(badFile, { trust: { origin, keys }, ...options })
      expect(result, JSON.stringify(options)).toMatchObject({
        ok: false,
        failure: { line, reason: 'inclusion-failed' },
      })
    }
  })

  it('calls a file that stops inside a line truncated, however it is read', async () => {
    const cut = join(dir, 'cut.ndjson')
    await writeFile(cut, text.subarray(0, text.length - 40))
    for (const options of ways) {
      const result = await verifyFile(cut, { trust: { origin, keys }, ...options })
      expect(result, JSON.stringify(options)).toMatchObject({
        ok: false,
        failure: { line: count + 1, reason: 'truncated' },
      })
    }
  })
})
