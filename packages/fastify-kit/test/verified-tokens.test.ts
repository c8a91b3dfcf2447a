import { describe, expect, it } from 'vitest'
import { VerifiedTokens } from '../src/auth.ts'

const principal = { subject: 's', clientId: 'c', tokenId: 'j', role: 'admin' as const }

describe('the verified-token cache', () => {
  it('answers a token only until it expires', () => {
    const cache = new VerifiedTokens()
    cache.set('t', principal, 1_000)
    expect(cache.get('t', 999)).toEqual(principal)
    expect(cache.get('t', 1_000)).toBeUndefined()
    expect(cache.get('t', 999)).toBeUndefined()
  })
  it('stays bounded, dropping the oldest entry', () => {
    const cache = new VerifiedTokens(2)
    cache.set('a', principal, 10)
    cache.set('b', principal, 10)
    cache.set('c', principal, 10)
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)].map(Boolean)).toEqual([
      false,
      true,
      true,
    ])
  })
})
