import { createSecretKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { KeyCache } from '../src/index.ts'

const key = (n: number) => createSecretKey(Buffer.alloc(32, n))

describe('KeyCache', () => {
  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = new KeyCache(2, 60_000)
    cache.set('a', key(1))
    cache.set('b', key(2))
    cache.get('a')
    cache.set('c', key(3))
    expect(cache.size).toBe(2)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBeDefined()
    expect(cache.get('c')).toBeDefined()
  })

  it('forgets a key after its time to live', () => {
    let now = 1_000
    const cache = new KeyCache(10, 500, () => now)
    cache.set('a', key(1))
    now = 1_499
    expect(cache.get('a')).toBeDefined()
    now = 1_500
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('caches nothing with capacity 0', () => {
    const cache = new KeyCache(0, 60_000)
    cache.set('a', key(1))
    expect(cache.get('a')).toBeUndefined()
  })

  it('drops a key on delete', () => {
    const cache = new KeyCache(10, 60_000)
    cache.set('a', key(1))
    cache.delete('a')
    expect(cache.has('a')).toBe(false)
  })
})
