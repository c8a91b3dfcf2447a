import canonicalize from 'canonicalize'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../src/jcs.ts'

// The notary's RFC 8785 text must be the text of the reference implementation (`canonicalize`, by
// one of the RFC's authors) for every JSON value: on the fast path (a sorted copy given to
// JSON.stringify) and on the values that leave it (index-like keys, __proto__, lone surrogates).

const tricky = fc.constantFrom(
  '0',
  '1',
  '9',
  '10',
  '01',
  '1e3',
  '-1',
  '4294967295',
  '__proto__',
  'a',
  'B',
  'é',
  '😀',
  '\u{ffff}',
  '',
)

describe('canonicalJson', () => {
  it('writes what canonicalize writes for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value))
      }),
      { numRuns: 2000 },
    )
  })

  it('writes what canonicalize writes for objects with index-like, __proto__ and non-ASCII keys', () => {
    fc.assert(
      fc.property(
        fc.dictionary(tricky, fc.jsonValue({ maxDepth: 2 })),
        fc.jsonValue({ maxDepth: 1 }),
        (dict, leaf) => {
          // JSON.parse makes __proto__ an own key, as a stored payload would have it.
          const value = JSON.parse(JSON.stringify({ nested: dict, list: [dict, leaf], ...dict }))
          expect(canonicalJson(value)).toBe(canonicalize(value))
        },
      ),
      { numRuns: 1000 },
    )
    expect(canonicalJson(JSON.parse('{"10":1,"9":2,"a":{"__proto__":3,"2":4}}'))).toBe(
      '{"10":1,"9":2,"a":{"2":4,"__proto__":3}}',
    )
  })

  it('sorts keys by UTF-16 code units and writes numbers as RFC 8785 §3.2.2.3 does', () => {
    expect(canonicalJson({ '\u{1f600}': 1, '\u{ffff}': 2, é: 3, z: 4 })).toBe(
      '{"z":4,"é":3,"😀":1,"\u{ffff}":2}',
    )
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333, 2 ** 53 + 2])).toBe(
      '[1e+21,1e-7,0,0.30000000000000004,333333333.3333333,9007199254740994]',
    )
  })

  it('takes a backslash before "ud" and surrogate pairs as they are, and sorts many keys alike', () => {
    for (const value of [
      { a: '\\ud800', b: 'x\\udfff\\' },
      { '\\ud83d': ['😀', '\u{1f600}'] },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7919) % 97}é`, i])),
    ])
      expect(canonicalJson(value)).toBe(canonicalize(value))
  })

  it('refuses what JCS cannot express', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow()
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow()
    expect(() => canonicalJson({ a: '\ud800' })).toThrow()
    expect(() => canonicalJson({ '\udc00': 1 })).toThrow()
  })
})
