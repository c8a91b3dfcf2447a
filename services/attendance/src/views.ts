import type { EventData } from '@trec/contracts'
import { importJWK } from 'jose'
import { type ClassFact, foldClassView } from './domain/class-view.ts'
import { type DeviceEvent, type DeviceView, evolveDevice } from './domain/device.ts'
import { foldInstitutionView, type InstitutionFact } from './domain/institution-view.ts'
import type { ResolvedOptions } from './options.ts'
import { StreamViews } from './stream-views.ts'

// The streams this service reads to decide, each folded once and kept while its revision holds:
// classes and institutions from the training service, devices from our own registry. Imported
// device keys are kept by thumbprint (RFC 7638): a thumbprint always names the same key.

type VerifyKey = Awaited<ReturnType<typeof importJWK>>

export interface Views {
  classes: StreamViews<ReturnType<typeof foldClassView>>
  institutions: StreamViews<ReturnType<typeof foldInstitutionView>>
  devices: StreamViews<DeviceView>
  /** The registered key of a device, imported for verification. */
  keyOf(registration: EventData<'DeviceRegistered'>): Promise<VerifyKey>
}

export function createViews(options: ResolvedOptions): Views {
  const { store, cacheEntries } = options
  const keys = new Map<string, Promise<VerifyKey>>()
  return {
    classes: new StreamViews(store, 'class', (events) => foldClassView(events as ClassFact[]), cacheEntries),
    institutions: new StreamViews(
      store,
      'institution',
      (events) => foldInstitutionView(events as InstitutionFact[]),
      cacheEntries,
    ),
    devices: new StreamViews(
      store,
      'device',
      (events) => (events as DeviceEvent[]).reduce(evolveDevice, {} as DeviceView),
      cacheEntries,
    ),
    keyOf(registration) {
      const known = keys.get(registration.keyThumbprint)
      if (known) return known
      const key = importJWK(registration.publicKey, registration.algorithm)
      key.catch(() => keys.delete(registration.keyThumbprint))
      keys.set(registration.keyThumbprint, key)
      if (keys.size > cacheEntries) keys.delete(keys.keys().next().value!)
      return key
    },
  }
}
