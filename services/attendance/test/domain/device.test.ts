import { spec } from '@trec/command/testing'
import type { EventData } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { foldClassView } from '../../src/domain/class-view.ts'
import { type DeviceEvent, deviceDecider, type RegisterDevice } from '../../src/domain/device.ts'
import { applied, classId, institution, opened } from '../fixtures.ts'

const key = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } as const
const openClass = foldClassView([
  { type: 'ClassOpeningApplied', data: applied() },
  { type: 'ClassOpened', data: opened() },
])

function register(over: Partial<RegisterDevice> = {}): RegisterDevice {
  return {
    kind: 'RegisterDevice',
    device: 'dev-fc-0031',
    class: classId,
    classView: openClass,
    algorithm: 'EdDSA',
    publicKey: key,
    keyThumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    ...over,
  }
}

const registration: EventData<'DeviceRegistered'> = {
  device: 'dev-fc-0031',
  class: classId,
  institution,
  algorithm: 'EdDSA',
  publicKey: key,
  keyThumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
}
const registered: DeviceEvent = { type: 'DeviceRegistered', data: registration }

describe('registering a face-check device', () => {
  it("registers the device to the class, under the class's institution, with its key", () => {
    spec(deviceDecider).given().when(register()).then(registered)
  })

  it('refuses a device id that is already registered (device-id-unused)', () => {
    const [reason] = spec(deviceDecider).given(registered).when(register()).rejects('device-id-unused')
    expect(reason?.details).toEqual({ class: classId })
  })

  it('refuses a class the training record does not know (class-exists)', () => {
    spec(deviceDecider)
      .given()
      .when(register({ classView: foldClassView([]) }))
      .rejects('class-exists')
  })

  it('refuses a class that has closed (class-not-closed)', () => {
    const closed = foldClassView([
      { type: 'ClassOpeningApplied', data: applied() },
      { type: 'ClassOpened', data: opened() },
      {
        type: 'ClassClosed',
        data: { class: classId, reason: 'cancelled' },
        occurredAt: '2024-04-09T09:00:00+08:00',
      },
    ])
    spec(deviceDecider)
      .given()
      .when(register({ classView: closed }))
      .rejects('class-not-closed')
  })
})

describe('revoking a face-check device', () => {
  const revoke = { kind: 'RevokeDevice', device: 'dev-fc-0031', reason: 'lost', note: '遗失' } as const

  it('revokes a registered device, with the reason', () => {
    spec(deviceDecider)
      .given(registered)
      .when(revoke)
      .then({ type: 'DeviceRevoked', data: { device: 'dev-fc-0031', reason: 'lost', note: '遗失' } })
  })

  it('refuses to revoke a device that was never registered (device-registered)', () => {
    spec(deviceDecider).given().when(revoke).rejects('device-registered')
  })

  it('refuses to revoke a device twice (device-not-revoked)', () => {
    spec(deviceDecider)
      .given(registered, { type: 'DeviceRevoked', data: { device: 'dev-fc-0031', reason: 'compromised' } })
      .when(revoke)
      .rejects('device-not-revoked')
  })
})
