import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { rules } from '../src/domain/rules.ts'

// The README lists every rule with its source; this keeps the list and `rules.ts` in step.

describe('README.md', () => {
  it('lists every rule with its source and text, as rules.ts has them', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const table = readme.slice(readme.indexOf('<!-- rules:start -->'), readme.indexOf('<!-- rules:end -->'))
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      )
    expect(rows).toEqual(Object.entries(rules).map(([id, rule]) => [`\`${id}\``, rule.source, rule.text]))
  })
})
