import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeySet } from '@trec/merkle'
import { describe, expect, it } from 'vitest'
import { writeSyntheticExport } from '../bench/synthetic-export.ts'
import { checkpointKeyPair, origin, verifyText } from './support.ts'

// What the verifier refuses about event ids even when the log itself signed them: an id that is
// not a UUID (the store accepts no other) and one event at two leaves (the notary writes each
// once). Built as a log operator could: the odd leaf is in the tree, its proof holds.

async function exportWith(
  count: number,
  leaf: (k: number, text: string, earlier: readonly string[]) => string,
) {
  const key = checkpointKeyPair()
  const dir = await mkdtemp(join(tmpdir(), 'trec-verify-ids-'))
  try {
    const file = join(dir, 'export.ndjson')
    await writeSyntheticExport(file, count, origin, key.privateKey, leaf)
    const keys = await KeySet.create([{ name: origin, publicKey: key.publicKey, notBefore: new Date(0) }])
    return { text: await readFile(file), keys }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const idOf = (text: string) => /"id":"([^"]+)"/.exec(text.slice(text.indexOf('"id":')))![1]!

describe('event ids in a signed export', () => {
  it('names an event logged at two leaves, in one thread and across runs on worker threads', async () => {
    let repeatedId = ''
    const { text, keys } = await exportWith(60, (k, leaf, earlier) => {
      if (k !== 41) return leaf
      repeatedId = idOf(earlier[7]!)
      return earlier[7]!
    })
    for (const options of [{ threads: 1 }, { threads: 2, runBytes: 4096 }]) {
      const result = await verifyText(text, keys, options)
      expect(result.ok).toBe(false)
      if (result.ok) return
      // Line 1 is the header; leaf k is on line k + 2.
      expect(result.failure).toMatchObject({ line: 43, reason: 'event-repeated', eventId: repeatedId })
      expect(result.failure.message).toContain('leaf 41')
    }
  })

  it('refuses an event whose id is not a lowercase UUID', async () => {
    const { text, keys } = await exportWith(20, (k, leaf) =>
      k === 5 ? leaf.replace(`"id":"${idOf(leaf)}"`, '"id":"evt-5"') : leaf,
    )
    const result = await verifyText(text, keys, { threads: 1 })
    expect(result).toMatchObject({
      ok: false,
      failure: {
        line: 7,
        reason: 'event-malformed',
        message: expect.stringContaining('not a lowercase UUID'),
      },
    })
  })

  it('still verifies the same export untouched', async () => {
    const { text, keys } = await exportWith(60, (_k, leaf) => leaf)
    for (const options of [{ threads: 1 }, { threads: 2, runBytes: 4096 }]) {
      const result = await verifyText(text, keys, options)
      expect(result).toMatchObject({ ok: true })
      if (result.ok) expect(result.report.events).toBe(60)
    }
  })
})
