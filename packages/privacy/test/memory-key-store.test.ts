import { beforeEach, describe } from 'vitest'
import { MemoryKeyStore } from '../src/index.ts'
import { keyStoreContract } from './key-store-contract.ts'

describe('MemoryKeyStore', () => {
  let store = new MemoryKeyStore()
  beforeEach(() => {
    store = new MemoryKeyStore()
  })
  keyStoreContract(() => store)
})
