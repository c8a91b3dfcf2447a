import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { workerDecider } from '../../src/domain/worker.ts'
import type { WorkerEvent } from '../../src/domain/worker-state.ts'
import { checked, claimed, enrol, enrolled, hour, identity, issued } from './enrolment-fixtures.ts'
import {
  application,
  classState,
  closed,
  delistedFrom,
  joined,
  opened,
  passed,
  session,
  worker,
} from './fixtures.ts'

describe('enrolment with a passed real-name check', () => {
  it('records the check, the enrolment and the roster entry', () => {
    spec(workerDecider).given().when(enrol()).then(checked, enrolled(), joined(worker))
  })

  it('names a card read by the device that read it', () => {
    const chip = { ...identity, method: 'card_chip' as const, platform: 'reader-0031' }
    const [event] = spec(workerDecider)
      .given()
      .when(enrol({ identity: chip }))
      .events()
    expect(event!.data).toMatchObject({
      method: 'card_chip',
      verifiedBy: { kind: 'device', id: 'reader-0031' },
    })
  })

  it('redeems a voucher for the place, worth its value', () => {
    spec(workerDecider)
      .given(issued(), claimed)
      .when(enrol({ voucher: 'vch-1' }))
      .then(
        checked,
        enrolled('vch-1'),
        {
          type: 'VoucherRedeemed',
          data: {
            voucher: 'vch-1',
            worker,
            class: 'cls-1',
            institution: 'inst-130100-0042',
            amount: 200_000,
          },
        },
        joined(worker),
      )
  })
})

describe('the class and the institution', () => {
  it('enrols only into an open class', () => {
    spec(workerDecider)
      .given()
      .when(enrol({ class: classState(application(), passed()) }))
      .rejects('class-not-opened')
    spec(workerDecider)
      .given()
      .when(enrol({ class: classState(application(), passed(), opened(), closed('completed')) }))
      .rejects('class-closed')
  })

  it('refuses when the institution has been delisted (D1)', () => {
    spec(workerDecider)
      .given()
      .when(enrol({ institution: delistedFrom('2024-03-31') }))
      .rejects('institution-delisted')
  })

  it('refuses beyond the capacity', () => {
    const full = classState(application(), passed(), opened(), joined('a'.repeat(32)), joined('b'.repeat(32)))
    spec(workerDecider)
      .given()
      .when(enrol({ class: full }))
      .rejects('class-full')
  })

  it('refuses the same worker twice in one class', () => {
    spec(workerDecider)
      .given(checked, enrolled())
      .when(enrol({ identity: { ...identity, platformRef: 'other' } }))
      .rejects('already-enrolled')
  })
})

describe('one person, one place at a time', () => {
  const other = (sessions = [session('s-1', '2024-04-08', '09:00', '10:00')]) =>
    classState(application('cls-2', { sessions }), passed('cls-2'), opened('cls-2', sessions))

  it('refuses a class whose sessions overlap a class the worker is in, naming both sessions', () => {
    const [reason] = spec(workerDecider)
      .given()
      .when(enrol({ otherClasses: [other()] }))
      .rejects('schedule-overlap')
    expect(reason!.details).toEqual({ class: 'cls-2', session: 'ses-01', otherSession: 's-1' })
  })

  it('accepts classes at other times, and ignores a cancelled class', () => {
    const later = other([session('s-1', '2024-04-08', '14:00', '17:00')])
    spec(workerDecider)
      .given()
      .when(enrol({ otherClasses: [later] }))
      .then(checked, enrolled(), joined(worker))
    const cancelled = classState(
      application('cls-2'),
      passed('cls-2'),
      opened('cls-2'),
      closed('cancelled', 'cls-2'),
    )
    spec(workerDecider)
      .given()
      .when(enrol({ otherClasses: [cancelled] }))
      .then(checked, enrolled(), joined(worker))
  })
})

describe('the real-name check (实名认证, D0/D4)', () => {
  it('must have passed', () => {
    spec(workerDecider)
      .given()
      .when(enrol({ identity: { ...identity, result: 'mismatch' } }))
      .rejects('identity-not-verified')
  })

  it('cannot be dated after now (beyond the allowed clock skew)', () => {
    const ahead = { ...identity, verifiedAt: '2024-04-01T01:03:00.000Z' }
    spec(workerDecider)
      .given()
      .when(enrol({ identity: ahead }))
      .rejects('identity-check-in-future')
    spec(workerDecider)
      .given()
      .when(enrol({ identity: ahead, clockSkewMs: 5 * 60_000 }))
      .events()
  })

  it('must be recent, by the configured age', () => {
    const old = { ...identity, verifiedAt: '2024-03-30T00:00:00.000Z' }
    spec(workerDecider)
      .given()
      .when(enrol({ identity: old }))
      .rejects('identity-check-stale')
    spec(workerDecider)
      .given()
      .when(enrol({ identity: old, identityMaxAgeMs: 72 * hour }))
      .events()
  })

  it('vouches for one enrolment only', () => {
    const elsewhere = { ...checked, data: { ...checked.data, class: 'cls-0' } } as WorkerEvent
    spec(workerDecider).given(elsewhere).when(enrol()).rejects('identity-check-reused')
  })
})
