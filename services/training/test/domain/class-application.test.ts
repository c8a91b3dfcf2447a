import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { type ApplyCommand, classDecider } from '../../src/domain/class.ts'
import {
  application,
  delistedFrom,
  designated,
  designation,
  now,
  programme,
  session,
  sessions,
  teachers,
} from './fixtures.ts'

const apply = (over: Partial<ApplyCommand> = {}): ApplyCommand => ({
  kind: 'apply',
  class: 'cls-1',
  institution: designation.institution,
  institutionState: designated,
  programme: programme.programme,
  programmeEntry: programme,
  mode: 'offline',
  route: 'designated_institution',
  plannedHours: 6,
  capacity: 2,
  sessions,
  teachers,
  now,
  ...over,
})

describe('开班申请 (D1)', () => {
  it("records the application in the institution's region, its sessions in order and the days they span", () => {
    spec(classDecider)
      .given()
      .when(apply({ sessions: [sessions[1]!, sessions[0]!] }))
      .then(application())
  })

  it('takes the planned days in UTC+8: a session that starts at 07:00 Beijing time is on that Beijing day', () => {
    const early = session('ses-01', '2024-04-08', '07:00', '09:00')
    const [event] = spec(classDecider)
      .given()
      .when(apply({ sessions: [early] }))
      .events()
    expect(event!.data).toMatchObject({ plannedStart: '2024-04-08', plannedEnd: '2024-04-08' })
  })

  it('refuses a second application under the same class id', () => {
    spec(classDecider).given(application()).when(apply()).rejects('class-already-applied')
  })

  it('refuses an institution that is not designated, or not yet', () => {
    spec(classDecider)
      .given()
      .when(apply({ institutionState: {} }))
      .rejects('institution-not-designated')
    const later = { designation: { ...designation, effectiveFrom: '2024-05-01' } }
    spec(classDecider)
      .given()
      .when(apply({ institutionState: later }))
      .rejects('institution-not-designated')
  })

  it('refuses a delisted institution (「立即清退」, D1)', () => {
    spec(classDecider)
      .given()
      .when(apply({ institutionState: delistedFrom('2024-03-15') }))
      .rejects('institution-delisted')
  })

  it('accepts an institution whose delisting takes effect only later', () => {
    spec(classDecider)
      .given()
      .when(apply({ institutionState: delistedFrom('2024-06-01') }))
      .then(application())
  })

  it('refuses a programme not in the catalogue of the region', () => {
    spec(classDecider)
      .given()
      .when(apply({ programmeEntry: undefined }))
      .rejects('programme-unknown')
  })

  it('refuses sessions that overlap each other, naming them', () => {
    const clash = session('ses-03', '2024-04-08', '11:00', '12:00')
    const [reason] = spec(classDecider)
      .given()
      .when(apply({ sessions: [...sessions, clash] }))
      .rejects('sessions-overlap')
    expect(reason!.details).toEqual({ overlapping: [['ses-01', 'ses-03']] })
  })

  it('accepts back-to-back sessions', () => {
    const next = session('ses-03', '2024-04-08', '11:30', '12:30')
    spec(classDecider)
      .given()
      .when(apply({ sessions: [...sessions, next] }))
      .events()
  })

  it("refuses sessions on days the programme's standard is not in force", () => {
    const late = session('ses-03', '2025-01-02')
    const [reason] = spec(classDecider)
      .given()
      .when(apply({ sessions: [...sessions, late] }))
      .rejects('sessions-outside-programme')
    expect(reason!.details).toMatchObject({ sessions: ['ses-03'] })
  })

  it('refuses sessions that have begun: the review comes before training (D3)', () => {
    const begun = session('ses-00', '2024-04-01', '08:30', '11:30')
    spec(classDecider)
      .given()
      .when(apply({ sessions: [begun, ...sessions] }))
      .rejects('sessions-started')
  })

  it('keeps the public-college route (D1) for 职业院校 and 技工院校', () => {
    spec(classDecider)
      .given()
      .when(apply({ route: 'public_college' }))
      .rejects('public-college-route')
    const college = { designation: { ...designation, kinds: ['technical_school' as const] } }
    spec(classDecider)
      .given()
      .when(apply({ route: 'public_college', institutionState: college }))
      .then(application('cls-1', { route: 'public_college' }))
  })

  it('gives every failed rule at once', () => {
    spec(classDecider)
      .given()
      .when(apply({ institutionState: delistedFrom('2024-03-15'), programmeEntry: undefined }))
      .rejects('institution-delisted', 'programme-unknown')
  })
})
