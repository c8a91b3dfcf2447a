// The behaviour every KeyStore must have, run against each implementation from inside its own
// describe block.
import { randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import type { KeyStore, StoredKey, WrappedKey } from '../src/index.ts'

export const pseudonymA = 'a'.repeat(32)
export const pseudonymB = 'b'.repeat(32)

export function wrappedKey(masterKid = 'm1'): WrappedKey {
  return { masterKid, wrapped: new Uint8Array(randomBytes(60)) }
}

async function collect(iterable: AsyncIterable<StoredKey>): Promise<StoredKey[]> {
  const out: StoredKey[] = []
  for await (const key of iterable) out.push(key)
  return out
}

const hex = (key: WrappedKey | undefined) =>
  key === undefined ? undefined : Buffer.from(key.wrapped).toString('hex')

export function keyStoreContract(store: () => KeyStore): void {
  it('answers undefined for a worker without a key', async () => {
    expect(await store().get(pseudonymA)).toBeUndefined()
  })

  it('stores a key and gives it back', async () => {
    const key = wrappedKey()
    const stored = await store().put(pseudonymA, key)
    expect(hex(stored)).toBe(hex(key))
    const read = await store().get(pseudonymA)
    expect(read?.masterKid).toBe('m1')
    expect(hex(read)).toBe(hex(key))
  })

  it('keeps the first key when a second is put, and answers the first', async () => {
    const first = wrappedKey()
    await store().put(pseudonymA, first)
    const answer = await store().put(pseudonymA, wrappedKey('m2'))
    expect(answer?.masterKid).toBe('m1')
    expect(hex(answer)).toBe(hex(first))
    expect(hex(await store().get(pseudonymA))).toBe(hex(first))
  })

  it('answers the same key to writers racing to create it', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => store().put(pseudonymB, wrappedKey())))
    const stored = hex(await store().get(pseudonymB))
    expect(stored).toBeDefined()
    for (const answer of answers) expect(hex(answer)).toBe(stored)
  })

  it('replaces a key only while it is unchanged', async () => {
    const first = wrappedKey('m1')
    await store().put(pseudonymA, first)
    const next = wrappedKey('m2')
    expect(await store().replace(pseudonymA, wrappedKey('m1'), next)).toBe(false)
    expect(hex(await store().get(pseudonymA))).toBe(hex(first))
    expect(await store().replace(pseudonymA, first, next)).toBe(true)
    const read = await store().get(pseudonymA)
    expect(read?.masterKid).toBe('m2')
    expect(hex(read)).toBe(hex(next))
  })

  it('deletes a key for good, and a replace cannot bring it back', async () => {
    const key = wrappedKey()
    await store().put(pseudonymA, key)
    expect(await store().delete(pseudonymA)).toBe(true)
    expect(await store().get(pseudonymA)).toBeUndefined()
    expect(await store().delete(pseudonymA)).toBe(false)
    expect(await store().replace(pseudonymA, key, wrappedKey('m2'))).toBe(false)
    expect(await store().get(pseudonymA)).toBeUndefined()
    expect(await collect(store().list())).toEqual([])
  })

  it('records the shred: no new key is taken for the worker afterwards', async () => {
    expect(await store().isShredded(pseudonymA)).toBe(false)
    await store().put(pseudonymA, wrappedKey())
    await store().delete(pseudonymA)
    expect(await store().isShredded(pseudonymA)).toBe(true)
    expect(await store().put(pseudonymA, wrappedKey('m2'))).toBeUndefined()
    expect(await store().get(pseudonymA)).toBeUndefined()
    expect(await store().isShredded(pseudonymB)).toBe(false)
  })

  it('can shred a worker that never had a key', async () => {
    expect(await store().delete(pseudonymB)).toBe(false)
    expect(await store().isShredded(pseudonymB)).toBe(true)
    expect(await store().put(pseudonymB, wrappedKey())).toBeUndefined()
  })

  it('leaves shredded workers out of the list', async () => {
    await store().put(pseudonymA, wrappedKey())
    await store().put(pseudonymB, wrappedKey())
    await store().delete(pseudonymA)
    expect((await collect(store().list())).map((key) => key.pseudonym)).toEqual([pseudonymB])
  })

  it('lists every key in pseudonym order, optionally leaving out one master key id', async () => {
    const pseudonyms = ['0', '3', '7', 'c', 'f', '9', '1'].map((c) => c.repeat(32))
    for (const [i, pseudonym] of pseudonyms.entries())
      await store().put(pseudonym, wrappedKey(i % 2 ? 'old' : 'new'))
    const all = await collect(store().list())
    expect(all.map((key) => key.pseudonym)).toEqual([...pseudonyms].sort())
    const old = await collect(store().list({ exceptMasterKid: 'new' }))
    expect(old.map((key) => key.pseudonym)).toEqual(pseudonyms.filter((_, i) => i % 2).sort())
    for (const key of old) expect(hex(key)).toBe(hex(await store().get(key.pseudonym)))
  })
}
