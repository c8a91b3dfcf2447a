import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeCatalogue } from '../src/index.ts'

// The package README lists the catalogue; this keeps the list and the registry in step. When it
// fails, paste the expected table between the markers. Tables are compared cell by cell, so the
// formatter's column padding does not matter.

const start = '<!-- catalogue:start -->'
const end = '<!-- catalogue:end -->'

function catalogueTable(): string {
  const rows = describeCatalogue().map(
    (e) => `| \`${e.type}\` | ${e.version} | ${e.context} | \`${e.category}-{${e.key}}\` | ${e.summary} |`,
  )
  return [
    '| type | version | owner | stream | what happened |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^-{3,}$/, '---')),
    )
}

describe('README.md', () => {
  it('lists every event type with its version, owner and stream, as the registry has them', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const from = readme.indexOf(start)
    const to = readme.indexOf(end)
    expect(from).toBeGreaterThan(-1)
    expect(to).toBeGreaterThan(from)
    expect(cells(readme.slice(from + start.length, to))).toEqual(cells(catalogueTable()))
  })
})
