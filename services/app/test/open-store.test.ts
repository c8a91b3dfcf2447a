import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { openRuntime } from '../src/open-store.ts'

// `npm start` on a fresh clone: the data directory does not exist yet, and the embedded store is
// opened before anything else has made it.
describe('opening the embedded store', () => {
  const parent = mkdtempSync(join(tmpdir(), 'trec-open-store-'))
  afterAll(() => rmSync(parent, { recursive: true, force: true }))

  it('makes a data directory that does not exist yet, and opens a store that answers', async () => {
    const dataDir = join(parent, 'not', 'there', 'yet')
    const runtime = await openRuntime(loadConfig({ TREC_STORE: 'pglite', TREC_DATA_DIR: dataDir }))
    try {
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true)
      expect(await runtime.store.lastPosition()).toBe(0n)
    } finally {
      await runtime.close()
    }
  })
})
