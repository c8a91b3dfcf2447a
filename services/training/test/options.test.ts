import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { generateMasterKey, KeyRing, MemoryKeyStore } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trainingContext } from '../src/options.ts'

describe('service options', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  const keyRing = new KeyRing({ store: new MemoryKeyStore(), masterKey: generateMasterKey('m') })
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  it('refuses a short pseudonym secret, a missing key ring and nonsense practice values, all at once', () => {
    const attempt = () =>
      trainingContext({
        store,
        keyRing: {} as KeyRing,
        pseudonymSecret: 'too short',
        voucherValidityDays: 0,
      })
    expect(attempt).toThrow(/keyRing[\s\S]*pseudonymSecret[\s\S]*voucherValidityDays/)
  })

  it('defaults the practice rules: vouchers 180 days, checks 24 hours old, two minutes of clock skew', () => {
    const ctx = trainingContext({ store, keyRing, pseudonymSecret: 's'.repeat(32) })
    expect([ctx.voucherValidityMs, ctx.identityMaxAgeMs, ctx.clockSkewMs]).toEqual([
      180 * 86_400_000,
      24 * 3_600_000,
      120_000,
    ])
    expect(ctx.now()).toBeInstanceOf(Date)
  })
})
