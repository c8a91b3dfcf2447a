import { type Decider, reject } from '@trec/command'
import type { EventData } from '@trec/contracts'
import type { ClassView } from './class-view.ts'
import { violation } from './rules.ts'

// A face-check device (人脸识别考勤终端) and its signing key, one `device-{id}` stream each.
// Institution staff register a device to one class of their institution with its public key,
// and revoke it when it is lost, compromised or retired. Batches are verified against this.

export type DeviceEvent =
  | { type: 'DeviceRegistered'; data: EventData<'DeviceRegistered'> }
  | { type: 'DeviceRevoked'; data: EventData<'DeviceRevoked'> }

export interface DeviceView {
  registration?: EventData<'DeviceRegistered'>
  revoked?: EventData<'DeviceRevoked'>
}

export interface RegisterDevice {
  kind: 'RegisterDevice'
  device: string
  class: string
  /** The class as the training record has it, read by the caller. */
  classView: ClassView
  algorithm: EventData<'DeviceRegistered'>['algorithm']
  publicKey: EventData<'DeviceRegistered'>['publicKey']
  keyThumbprint: string
}

export interface RevokeDevice {
  kind: 'RevokeDevice'
  device: string
  reason: EventData<'DeviceRevoked'>['reason']
  note?: string
}

export type DeviceCommand = RegisterDevice | RevokeDevice

export function evolveDevice(view: DeviceView, event: DeviceEvent): DeviceView {
  switch (event.type) {
    case 'DeviceRegistered':
      return { ...view, registration: event.data }
    case 'DeviceRevoked':
      return { ...view, revoked: event.data }
  }
}

function register(command: RegisterDevice, view: DeviceView): DeviceEvent[] {
  if (view.registration)
    reject(
      violation('device-id-unused', `device ${command.device} is already registered`, {
        class: view.registration.class,
      }),
    )
  const target = command.classView
  if (!target.exists || target.institution === undefined)
    reject(violation('class-exists', `class ${command.class} is not in the training record`))
  if (target.closedAt !== undefined)
    reject(violation('class-not-closed', `class ${command.class} has closed (${target.closedReason})`))
  return [
    {
      type: 'DeviceRegistered',
      data: {
        device: command.device,
        class: command.class,
        institution: target.institution,
        algorithm: command.algorithm,
        publicKey: command.publicKey,
        keyThumbprint: command.keyThumbprint,
      },
    },
  ]
}

function revoke(command: RevokeDevice, view: DeviceView): DeviceEvent[] {
  if (!view.registration) reject(violation('device-registered', `device ${command.device} is not registered`))
  if (view.revoked)
    reject(
      violation('device-not-revoked', `device ${command.device} is already revoked (${view.revoked.reason})`),
    )
  return [
    {
      type: 'DeviceRevoked',
      data: {
        device: command.device,
        reason: command.reason,
        ...(command.note === undefined ? {} : { note: command.note }),
      },
    },
  ]
}

export const deviceDecider: Decider<DeviceView, DeviceCommand, DeviceEvent> = {
  initialState: () => ({}),
  evolve: evolveDevice,
  decide: (command, view) =>
    command.kind === 'RegisterDevice' ? register(command, view) : revoke(command, view),
}
