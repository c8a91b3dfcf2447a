import { describe, expect, it } from 'vitest'
import { fraudRules } from '../src/rules/index.ts'
import { loadRuleBook, parseRuleBook, ruleIds, withRule } from '../src/rules/parameters.ts'

describe('the fraud rule book', () => {
  it('ships a version, a basis and parameters for every implemented rule', () => {
    const book = loadRuleBook()
    expect(Object.keys(book).sort()).toEqual([...ruleIds].sort())
    expect(Object.keys(fraudRules).sort()).toEqual([...ruleIds].sort())
    for (const id of ruleIds) {
      expect(book[id].version).toBeGreaterThanOrEqual(1)
      expect(book[id].basis.length).toBeGreaterThan(10)
    }
  })

  it('refuses a wrong value at start-up with its path', () => {
    const book = loadRuleBook()
    expect(() =>
      parseRuleBook({ ...book, R4: { ...book.R4, params: { ...book.R4.params, maxSpeedKmh: -1 } } }),
    ).toThrow(/R4\.params\.maxSpeedKmh/)
    expect(() =>
      parseRuleBook({ ...book, R2: { ...book.R2, params: { ...book.R2.params, kinds: ['bonus'] } } }),
    ).toThrow(/R2\.params\.kinds/)
    expect(() => withRule(book, 'R7', { ...book.R7, version: 0 })).toThrow(/R7\.version/)
  })
})
