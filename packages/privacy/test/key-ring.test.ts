import { cryptoProfile, isTrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generateMasterKey,
  KeyRing,
  type KeyStore,
  type MasterKey,
  MemoryKeyStore,
  type SealedValue,
  type StoredKey,
  sealedValueSchema,
} from '../src/index.ts'

const alice = '0123456789abcdef0123456789abcdef'
const bob = 'fedcba9876543210fedcba9876543210'
const masterA = generateMasterKey('master-a')
const masterB = generateMasterKey('master-b')

function ring(
  store: KeyStore = new MemoryKeyStore(),
  masterKey: MasterKey = masterA,
  more: Partial<ConstructorParameters<typeof KeyRing>[0]> = {},
) {
  return new KeyRing({ store, masterKey, ...more })
}

/** The error a promise rejects with, or fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

async function expectCode(
  promise: Promise<unknown>,
  code: 'TREC_KEY_SHREDDED' | 'TREC_DECRYPTION_FAILED',
  reason?: string,
) {
  const error = await rejection(promise)
  expect(isTrecError(error, code), String(error)).toBe(true)
  if (reason !== undefined && isTrecError(error)) expect(error.details.reason).toBe(reason)
}

const flipByte = (base64url: string, index: number) => {
  const bytes = Buffer.from(base64url, 'base64url')
  bytes[index % bytes.length] = (bytes[index % bytes.length] ?? 0) ^ 0x01
  return bytes.toString('base64url')
}

describe('sealing and opening', () => {
  it('round-trips any unicode text', async () => {
    const keyRing = ring()
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), async (text) => {
        const sealed = await keyRing.seal(alice, 'name', text)
        expect(await keyRing.open(sealed, 'name')).toBe(text)
      }),
      { numRuns: 50 },
    )
    for (const text of ['张伟', '', '艾力·买买提', '👩‍🔧 worker', '6222 0212 3456 7890 123']) {
      expect(await keyRing.open(await keyRing.seal(alice, 'name', text), 'name')).toBe(text)
    }
  })

  it('produces the documented shape, without the plaintext, with a fresh IV each time', async () => {
    const keyRing = ring()
    const one = await keyRing.seal(alice, 'phone', '13800138000')
    const two = await keyRing.seal(alice, 'phone', '13800138000')
    expect(sealedValueSchema.parse(one)).toEqual(one)
    // AES-256-GCM with a 12-byte IV; SM4-CBC with HMAC-SM3 and a 16-byte IV under the gm profile.
    const { name, ivBytes } = cryptoProfile().seal
    expect(one.sealed).toBe(name)
    expect(one.kid).toBe(alice)
    expect(Buffer.from(one.iv, 'base64url')).toHaveLength(ivBytes)
    expect(one.iv).not.toBe(two.iv)
    expect(one.ct).not.toBe(two.ct)
    expect(JSON.stringify(one)).not.toContain('13800138000')
  })

  it('survives a trip through JSON and a fresh key ring over the same store', async () => {
    const store = new MemoryKeyStore()
    const sealed = JSON.parse(JSON.stringify(await ring(store).seal(alice, 'name', '李娜')))
    expect(await ring(store).open(sealed, 'name')).toBe('李娜')
  })

  it('gives each worker its own data key, created on first use', async () => {
    const store = new MemoryKeyStore()
    const keyRing = ring(store)
    await keyRing.seal(alice, 'name', 'a')
    await keyRing.seal(alice, 'phone', 'b')
    expect(store.size).toBe(1)
    await keyRing.seal(bob, 'name', 'c')
    expect(store.size).toBe(2)
  })

  it('creates one key for concurrent first seals, in one process or two', async () => {
    const store = new MemoryKeyStore()
    const one = ring(store)
    const two = ring(store)
    const sealed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).seal(alice, 'name', `name ${i}`)),
    )
    expect(store.size).toBe(1)
    for (const [i, value] of sealed.entries()) expect(await ring(store).open(value, 'name')).toBe(`name ${i}`)
  })

  it('refuses a pseudonym that is not 32 lowercase hex characters', async () => {
    await expect(ring().seal('11010519491231002X', 'name', 'x')).rejects.toThrow(RangeError)
  })
})

describe('tampering', () => {
  it('a changed byte anywhere in the IV or the ciphertext stops it opening', async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('iv' as const, 'ct' as const), fc.nat(), async (part, index) => {
        const tampered = { ...sealed, [part]: flipByte(sealed[part], index) }
        await expectCode(keyRing.open(tampered, 'name'), 'TREC_DECRYPTION_FAILED', 'tampered_or_misplaced')
      }),
      { numRuns: 60 },
    )
  })

  it('a value moved to another field does not open', async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    await expectCode(keyRing.open(sealed, 'bankAccount'), 'TREC_DECRYPTION_FAILED', 'tampered_or_misplaced')
    await expectCode(keyRing.open(sealed, 'name '), 'TREC_DECRYPTION_FAILED', 'tampered_or_misplaced')
  })

  it('a value relabelled as another worker does not open', async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    await keyRing.seal(bob, 'name', '赵磊')
    await expectCode(
      keyRing.open({ ...sealed, kid: bob }, 'name'),
      'TREC_DECRYPTION_FAILED',
      'tampered_or_misplaced',
    )
    // A worker without a key: nothing can open it either.
    await expectCode(keyRing.open({ ...sealed, kid: 'c'.repeat(32) }, 'name'), 'TREC_KEY_SHREDDED')
  })

  it("a whole sealed value copied into another worker's record is refused when the reader names the worker", async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    await expectCode(keyRing.open(sealed, 'name', bob), 'TREC_DECRYPTION_FAILED', 'wrong_worker')
    expect(await keyRing.open(sealed, 'name', alice)).toBe('王芳')
  })

  it('a malformed or non-canonical value is refused', async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    const lastChar = sealed.ct.at(-1) ?? 'A'
    // 王芳 is 6 bytes + 16 tag = 22 bytes: the last base64url character carries 4 spare bits.
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const spare = sibling[(sibling.indexOf(lastChar) ^ 1) % 64] ?? 'A'
    for (const bad of [
      { ...sealed, ct: sealed.ct.slice(0, -1) + spare },
      { ...sealed, iv: `${sealed.iv}AA` },
      { ...sealed, sealed: 'A128GCM' },
      { ...sealed, extra: 1 },
      { ...sealed, ct: `${sealed.ct}=` },
      'not an object',
      null,
    ]) {
      await expectCode(keyRing.open(bad, 'name'), 'TREC_DECRYPTION_FAILED', 'malformed_sealed_value')
    }
  })
})

describe('master keys', () => {
  it('a key ring with the wrong master key cannot open', async () => {
    const store = new MemoryKeyStore()
    const sealed = await ring(store).seal(alice, 'name', '王芳')
    const impostor = { kid: masterA.kid, key: generateMasterKey('x').key }
    await expectCode(ring(store, impostor).open(sealed, 'name'), 'TREC_DECRYPTION_FAILED', 'wrong_master_key')
    await expectCode(
      ring(store, masterB).open(sealed, 'name'),
      'TREC_DECRYPTION_FAILED',
      'unknown_master_key',
    )
  })

  it("a wrapped key copied onto another worker's row does not unwrap", async () => {
    const store = new MemoryKeyStore()
    await ring(store).seal(alice, 'name', '王芳')
    const aliceKey = await store.get(alice)
    if (aliceKey === undefined) throw new Error('no key')
    await store.put(bob, aliceKey)
    await expectCode(ring(store).seal(bob, 'name', '赵磊'), 'TREC_DECRYPTION_FAILED', 'wrong_master_key')
  })

  it('refuses a master key that is not 32 bytes or has an unusable id', () => {
    expect(() => ring(new MemoryKeyStore(), { kid: 'k', key: new Uint8Array(16) })).toThrow(RangeError)
    expect(() => ring(new MemoryKeyStore(), { kid: 'has space', key: new Uint8Array(32) })).toThrow(
      RangeError,
    )
    expect(() => ring(new MemoryKeyStore(), { kid: '', key: new Uint8Array(32) })).toThrow(RangeError)
  })

  it('rewrapAll moves every key to the new master key, after which the old one is not needed', async () => {
    const store = new MemoryKeyStore()
    const old = ring(store, masterA)
    const workers = [alice, bob, 'c'.repeat(32)]
    const sealed = await Promise.all(workers.map((w) => old.seal(w, 'name', `name of ${w}`)))

    const rotating = ring(store, masterB, { previousMasterKeys: [masterA] })
    expect(await rotating.rewrapAll()).toEqual({ rewrapped: 3, skipped: 0, failed: [] })
    expect(await rotating.rewrapAll()).toEqual({ rewrapped: 0, skipped: 0, failed: [] })

    const listed: StoredKey[] = []
    for await (const key of store.list()) listed.push(key)
    expect(listed.map((key) => key.masterKid)).toEqual(['master-b', 'master-b', 'master-b'])

    const newOnly = ring(store, masterB)
    for (const [i, value] of sealed.entries())
      expect(await newOnly.open(value, 'name')).toBe(`name of ${workers[i]}`)
    await expectCode(
      ring(store, masterA).open(sealed[0], 'name'),
      'TREC_DECRYPTION_FAILED',
      'unknown_master_key',
    )
  })

  it('rewrapAll reports keys it cannot unwrap and leaves them as they were', async () => {
    const store = new MemoryKeyStore()
    await ring(store, masterA).seal(alice, 'name', 'a')
    await ring(store, masterB).seal(bob, 'name', 'b')
    const masterC = generateMasterKey('master-c')
    const report = await ring(store, masterC, { previousMasterKeys: [masterA] }).rewrapAll()
    expect(report).toEqual({
      rewrapped: 1,
      skipped: 0,
      failed: [{ pseudonym: bob, masterKid: 'master-b', reason: 'unknown_master_key' }],
    })
    expect((await store.get(bob))?.masterKid).toBe('master-b')
  })

  it('rewrapAll does not bring back a key shredded while it runs', async () => {
    const inner = new MemoryKeyStore()
    const keyRing = ring(inner, masterB, { previousMasterKeys: [masterA] })
    await ring(inner, masterA).seal(alice, 'name', 'a')
    const racing: KeyStore = {
      get: (p) => inner.get(p),
      put: (p, k) => inner.put(p, k),
      delete: (p) => inner.delete(p),
      isShredded: (p) => inner.isShredded(p),
      list: (o) => inner.list(o),
      replace: async (p, expected, next) => {
        await inner.delete(p) // the shred lands between listing and replacing
        return inner.replace(p, expected, next)
      },
    }
    expect(await ring(racing, masterB, { previousMasterKeys: [masterA] }).rewrapAll()).toEqual({
      rewrapped: 0,
      skipped: 1,
      failed: [],
    })
    expect(await keyRing.isShredded(alice)).toBe(true)
  })
})

describe('shredding', () => {
  it('makes every value sealed for the worker unreadable, in this and any other key ring', async () => {
    const store = new MemoryKeyStore()
    const keyRing = ring(store)
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    const other = await keyRing.seal(bob, 'name', '赵磊')
    expect(await keyRing.open(sealed, 'name')).toBe('王芳') // now cached
    expect(await keyRing.shred(alice)).toBe(true)
    await expectCode(keyRing.open(sealed, 'name'), 'TREC_KEY_SHREDDED')
    await expectCode(ring(store).open(sealed, 'name'), 'TREC_KEY_SHREDDED')
    expect(await keyRing.isShredded(alice)).toBe(true)
    expect(await keyRing.open(other, 'name')).toBe('赵磊')
    expect(await keyRing.isShredded(bob)).toBe(false)
    expect(await keyRing.shred(alice)).toBe(false)
  })

  it('the shredded error says which worker, and nothing sealed', async () => {
    const keyRing = ring()
    const sealed = await keyRing.seal(alice, 'name', '王芳')
    await keyRing.shred(alice)
    const error = await rejection(keyRing.open(sealed, 'name'))
    expect(isTrecError(error, 'TREC_KEY_SHREDDED') && error.status).toBe(410)
    expect(isTrecError(error) && error.details).toEqual({ pseudonym: alice })
  })

  it('reaches another process within the cache time to live, or at once with evict', async () => {
    const store = new MemoryKeyStore()
    let now = 0
    const reader = ring(store, masterA, { cacheTtlMs: 1_000, now: () => now })
    const sealed = await reader.seal(alice, 'name', '王芳')
    await ring(store).shred(alice)
    expect(await reader.open(sealed, 'name')).toBe('王芳') // still cached here
    now = 1_000
    await expectCode(reader.open(sealed, 'name'), 'TREC_KEY_SHREDDED')

    const second = ring(store)
    const sealedBob = await second.seal(bob, 'name', '赵磊')
    await ring(store).shred(bob)
    second.evict(bob)
    await expectCode(second.open(sealedBob, 'name'), 'TREC_KEY_SHREDDED')
  })

  it('refuses to seal anything more for a shredded worker, so old values keep reading as shredded', async () => {
    const store = new MemoryKeyStore()
    const keyRing = ring(store)
    const before = await keyRing.seal(alice, 'name', '王芳')
    await keyRing.shred(alice)
    await expectCode(keyRing.seal(alice, 'name', '王芳'), 'TREC_KEY_SHREDDED')
    await expectCode(ring(store).seal(alice, 'phone', '13800138000'), 'TREC_KEY_SHREDDED')
    expect(store.size).toBe(0)
    await expectCode(keyRing.open(before, 'name'), 'TREC_KEY_SHREDDED')
  })

  it('tells a shredded worker from one that has no key yet', async () => {
    const keyRing = ring()
    expect(await keyRing.isShredded(alice)).toBe(false)
    expect(await keyRing.shred(alice)).toBe(false) // shredded before anything was sealed
    expect(await keyRing.isShredded(alice)).toBe(true)
    await expectCode(keyRing.seal(alice, 'name', 'x'), 'TREC_KEY_SHREDDED')
  })
})

describe('sealing and opening named fields', () => {
  const enrolment = {
    classId: 'class-1',
    name: '王芳',
    cardNumber: '11010519491231002X',
    phone: '13800138000',
    bankAccount: null as string | null,
    hours: 40,
  }
  const pii = ['name', 'cardNumber', 'phone', 'bankAccount'] as const

  it('seals only the named fields and opens them back', async () => {
    const keyRing = ring()
    const sealed = await keyRing.sealFields(alice, enrolment, pii)
    expect(sealed.classId).toBe('class-1')
    expect(sealed.hours).toBe(40)
    expect(sealed.bankAccount).toBeNull()
    expect(sealedValueSchema.safeParse(sealed.name).success).toBe(true)
    for (const text of ['王芳', '11010519491231002X', '13800138000'])
      expect(JSON.stringify(sealed)).not.toContain(text)
    expect(await keyRing.openFields(alice, sealed, pii)).toEqual({
      value: enrolment,
      shredded: false,
      shreddedFields: [],
    })
  })

  it('binds each field to its path, including the prefix', async () => {
    const keyRing = ring()
    const sealed = await keyRing.sealFields(alice, { bankAccount: '6222021234567890123' }, ['bankAccount'], {
      pathPrefix: 'payee',
    })
    expect(await keyRing.open(sealed.bankAccount, 'payee.bankAccount')).toBe('6222021234567890123')
    await expectCode(keyRing.openFields(alice, sealed, ['bankAccount']), 'TREC_DECRYPTION_FAILED')
    const swapped = { name: sealed.bankAccount }
    await expectCode(
      keyRing.openFields(alice, swapped, ['name'], { pathPrefix: 'payee' }),
      'TREC_DECRYPTION_FAILED',
    )
  })

  it('reads the fields of a shredded worker as null, with a flag, so projections still run', async () => {
    const keyRing = ring()
    const sealed = await keyRing.sealFields(alice, enrolment, pii)
    await keyRing.shred(alice)
    expect(await keyRing.openFields(alice, sealed, pii)).toEqual({
      value: { ...enrolment, name: null, cardNumber: null, phone: null, bankAccount: null },
      shredded: true,
      shreddedFields: ['name', 'cardNumber', 'phone'],
    })
  })

  it("refuses another worker's sealed fields and any other failure", async () => {
    const keyRing = ring()
    const sealed = await keyRing.sealFields(alice, enrolment, pii)
    await expectCode(keyRing.openFields(bob, sealed, pii), 'TREC_DECRYPTION_FAILED', 'wrong_worker')
    const broken = {
      ...sealed,
      name: { ...(sealed.name as SealedValue), ct: flipByte((sealed.name as SealedValue).ct, 3) },
    }
    await expectCode(
      keyRing.openFields(alice, broken, pii),
      'TREC_DECRYPTION_FAILED',
      'tampered_or_misplaced',
    )
  })

  it('refuses to seal a field that is not a string', async () => {
    await expect(ring().sealFields(alice, { hours: 40 }, ['hours'])).rejects.toThrow(TypeError)
  })
})

describe('the data-key cache', () => {
  it('is bounded, and unwraps again what it dropped', async () => {
    const inner = new MemoryKeyStore()
    let reads = 0
    const counting: KeyStore = {
      get: (p) => {
        reads++
        return inner.get(p)
      },
      put: (p, k) => inner.put(p, k),
      delete: (p) => inner.delete(p),
      isShredded: (p) => inner.isShredded(p),
      list: (o) => inner.list(o),
      replace: (p, e, n) => inner.replace(p, e, n),
    }
    const keyRing = ring(counting, masterA, { maxCachedKeys: 2 })
    const workers = [alice, bob, 'c'.repeat(32)]
    const sealed = await Promise.all(workers.map((w) => keyRing.seal(w, 'name', w)))
    reads = 0
    await keyRing.open(sealed[2], 'name')
    await keyRing.open(sealed[1], 'name')
    expect(reads).toBe(0) // the two most recent are cached
    await keyRing.open(sealed[0], 'name')
    expect(reads).toBe(1) // the first was dropped
  })
})
