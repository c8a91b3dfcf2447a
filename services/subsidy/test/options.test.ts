import { isTrecError } from '@trec/core'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { generateMasterKey, KeyRing, MemoryKeyStore } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRulesDir, resolveOptions } from '../src/options.ts'
import { sjz } from './record.ts'

const keyRing = new KeyRing({ store: new MemoryKeyStore(), masterKey: generateMasterKey('options-test') })
const pseudonymSecret = 'options-test-pseudonym-secret-0123456789'
const shippedIds = ['hebei-2026', 'hlj-2022', 'hlj-2026', 'sjz-2019', 'sjz-2026']

describe('service options', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  it('uses no fixed sets by default (they are published as events), given ones when passed, a directory when named', () => {
    expect(resolveOptions({ store, keyRing, pseudonymSecret }).rules).toEqual([])
    expect(resolveOptions({ store, keyRing, pseudonymSecret, rules: [sjz] }).rules).toEqual([sjz])
    expect(
      resolveOptions({ store, keyRing, pseudonymSecret, rulesDir: defaultRulesDir })
        .rules.map((r) => r.id)
        .sort(),
    ).toEqual(shippedIds)
    expect(resolveOptions({ store, keyRing, pseudonymSecret, publish: [sjz] }).publish).toEqual([sjz])
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
      resolveOptions({ store: undefined as never, keyRing, pseudonymSecret, clock: 'now' as never }),
    )
    expect(isTrecError(noStore, 'TREC_VALIDATION') && noStore.issues.map((i) => i.path.join('.'))).toEqual([
      'store',
      'clock',
    ])
    const badRules = refusal(() =>
      resolveOptions({ store, keyRing, pseudonymSecret, rules: [{ ...sjz, version: 0 }] }),
    )
    expect(isTrecError(badRules, 'TREC_VALIDATION') && badRules.issues.map((i) => i.path.join('.'))).toEqual([
      'rules[0].version',
    ])
  })
})
