// docs/errors.md and `errorCodes` kept in step: every code has one section, in the same order,
// whose first word is the HTTP status the code answers with, and the document names no other code.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorCodes } from '../src/errors.ts'

const doc = readFileSync(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8')

/** Each `## CODE` heading with the status that opens its first paragraph. */
function sections(markdown: string): { code: string; status: number }[] {
  return [...markdown.matchAll(/^## (\S+)\n\n(\d{3})\./gm)].map((m) => ({
    code: m[1]!,
    status: Number(m[2]),
  }))
}

describe('docs/errors.md', () => {
  it('documents every error code, in order, with its status, and no other', () => {
    const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    expect(headings).toEqual(Object.keys(errorCodes))
    expect(sections(doc)).toEqual(Object.entries(errorCodes).map(([code, status]) => ({ code, status })))
  })
})
