import { isTrecError } from '@trec/core'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { generateMasterKey, KeyRing, MemoryKeyStore } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/options.ts'
import { sjz } from './record.ts'

const keyRing = new KeyRing({ store: new MemoryKeyStore(), masterKey: generateMasterKey('options-test') })

describe('service options', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  it('loads the package’s rule sets by default, and given ones instead when passed', () => {
    expect(
      resolveOptions({ store, keyRing })
        .rules.map((r) => r.id)
        .sort(),
    ).toEqual(['hlj-2022', 'sjz-2019'])
    expect(resolveOptions({ store, keyRing, rules: [sjz] }).rules).toEqual([sjz])
  })

  it('refuses a missing store, a clock that is not a function and an invalid rule set', () => {
    const refusal = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return error
      }
    }
    const noStore = refusal(() =>
      resolveOptions({ store: undefined as never, keyRing, clock: 'now' as never }),
    )
    expect(isTrecError(noStore, 'TREC_VALIDATION') && noStore.issues.map((i) => i.path.join('.'))).toEqual([
      'store',
      'clock',
    ])
    const badRules = refusal(() => resolveOptions({ store, keyRing, rules: [{ ...sjz, version: 0 }] }))
    expect(isTrecError(badRules, 'TREC_VALIDATION') && badRules.issues.map((i) => i.path.join('.'))).toEqual([
      'rules[0].version',
    ])
  })
})
