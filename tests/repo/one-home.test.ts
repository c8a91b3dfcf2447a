// Helpers that drift when copied have one home. The China calendar day is computed only by
// `chinaDay` in @trec/core: no other file adds the eight-hour offset itself.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const sources = execFileSync('git', ['ls-files', '-z', '*.ts'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && !f.endsWith('.test.ts'))

// 8 h in milliseconds, however it is spelled: 8 * 3_600_000, 8 * 3600_000, 8 * 60 * 60 * 1000, 28_800_000.
const eightHours = /\b8 \* 3_?600_?000\b|\b8 \* 3600 \* 1_?000\b|\b8 \* 60 \* 60 \* 1_?000\b|\b28_?800_?000\b/

describe('one home for each helper', () => {
  it('only @trec/core computes the calendar day in China', () => {
    const copies = sources.filter(
      (f) => f !== 'packages/core/src/china-time.ts' && eightHours.test(readFileSync(join(root, f), 'utf8')),
    )
    expect(copies).toEqual([])
  })
})
