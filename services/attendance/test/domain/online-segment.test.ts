import { spec } from '@trec/command/testing'
import type { EventData } from '@trec/contracts'
import { describe, it } from 'vitest'
import { foldClassView } from '../../src/domain/class-view.ts'
import { foldInstitutionView } from '../../src/domain/institution-view.ts'
import {
  type AttendanceEvent,
  onlineSegmentDecider,
  type RecordOnlineSegment,
} from '../../src/domain/online-segment.ts'
import { applied, classId, designated, faceCheck, hash, opened, roster, stranger } from '../fixtures.ts'

const platform = 'plat-hebei-zxpx'
const worker = roster[0]!
const onlineClass = foldClassView([
  { type: 'ClassOpeningApplied', data: applied({ mode: 'online' }) },
  { type: 'ClassOpened', data: opened() },
])
const platformView = foldInstitutionView([
  { type: 'InstitutionDesignated', data: designated(platform, ['online_platform']) },
])

function segment(over: Partial<EventData<'OnlineLearningSegmentRecorded'>> = {}) {
  return {
    worker,
    class: classId,
    platform,
    lesson: 'les-0012',
    start: '2024-04-10T20:00:00+08:00',
    end: '2024-04-10T20:45:00+08:00',
    playbackRate: 1,
    clientFingerprint: hash,
    ...over,
  }
}

function record(
  over: Partial<EventData<'OnlineLearningSegmentRecorded'>> = {},
  cmd: Partial<RecordOnlineSegment> = {},
) {
  return {
    kind: 'RecordOnlineSegment',
    segment: segment(over),
    classView: onlineClass,
    platformView,
    now: Date.parse('2024-04-11T08:00:00+08:00'),
    maxSkewMs: 300_000,
    playbackRate: { min: 0.5, max: 2 },
    ...cmd,
  } satisfies RecordOnlineSegment
}

const recorded = (over: Partial<EventData<'OnlineLearningSegmentRecorded'>> = {}): AttendanceEvent => ({
  type: 'OnlineLearningSegmentRecorded',
  data: segment(over),
})

describe('an online-learning segment', () => {
  it('is recorded for an enrolled worker of an online class, by a designated online platform', () => {
    const check: AttendanceEvent = {
      type: 'FaceCheckRecorded',
      data: { ...faceCheck(0), class: classId, device: 'd-1' },
    }
    spec(onlineSegmentDecider).given(check).when(record()).then(recorded())
  })

  it('must end after it starts (segment-order)', () => {
    spec(onlineSegmentDecider)
      .given()
      .when(record({ end: '2024-04-10T20:00:00+08:00' }))
      .rejects('segment-order')
  })

  it('refuses a playback rate outside the configured range, either side (playback-rate)', () => {
    spec(onlineSegmentDecider)
      .given()
      .when(record({ playbackRate: 0.25 }))
      .rejects('playback-rate')
    spec(onlineSegmentDecider)
      .given()
      .when(record({ playbackRate: 2.5 }))
      .rejects('playback-rate')
    spec(onlineSegmentDecider)
      .given()
      .when(record({ playbackRate: 1.25 }, { playbackRate: { min: 1, max: 1 } }))
      .rejects('playback-rate')
  })

  it('refuses a segment overlapping one already recorded for the worker in the class (segment-no-overlap)', () => {
    const earlier = recorded({ start: '2024-04-10T20:30:00+08:00', end: '2024-04-10T21:00:00+08:00' })
    spec(onlineSegmentDecider).given(earlier).when(record()).rejects('segment-no-overlap')
  })

  it('takes a segment that starts where the last one ended, or overlaps only another class', () => {
    const before = recorded({ start: '2024-04-10T19:30:00+08:00', end: '2024-04-10T20:00:00+08:00' })
    spec(onlineSegmentDecider).given(before).when(record()).then(recorded())
    const elsewhere = recorded({ class: 'cls-2024-0401' })
    spec(onlineSegmentDecider).given(elsewhere).when(record()).then(recorded())
  })

  it('refuses a worker who is not on the roster (worker-enrolled)', () => {
    spec(onlineSegmentDecider)
      .given()
      .when(record({ worker: stranger }))
      .rejects('worker-enrolled')
  })

  it('refuses a class the training record does not know (class-exists)', () => {
    spec(onlineSegmentDecider)
      .given()
      .when(record({}, { classView: foldClassView([]) }))
      .rejects('class-exists')
  })

  it('refuses a class taught offline (class-online)', () => {
    const offline = foldClassView([
      { type: 'ClassOpeningApplied', data: applied({ mode: 'offline' }) },
      { type: 'ClassOpened', data: opened() },
    ])
    spec(onlineSegmentDecider)
      .given()
      .when(record({}, { classView: offline }))
      .rejects('class-online')
  })

  it('refuses a platform that is not designated, not an online platform, or delisted (platform-online)', () => {
    const none = foldInstitutionView([])
    const provider = foldInstitutionView([
      { type: 'InstitutionDesignated', data: designated(platform, ['private_provider']) },
    ])
    const delisted = foldInstitutionView([
      { type: 'InstitutionDesignated', data: designated(platform, ['online_platform']) },
      {
        type: 'InstitutionDelisted',
        data: { institution: platform, reason: 'false_training', effectiveFrom: '2024-04-10' },
      },
    ])
    for (const view of [none, provider, delisted])
      spec(onlineSegmentDecider)
        .given()
        .when(record({}, { platformView: view }))
        .rejects('platform-online')
  })

  it("refuses a segment ending after the server's clock plus the skew (not-in-future)", () => {
    spec(onlineSegmentDecider)
      .given()
      .when(record({}, { now: Date.parse('2024-04-10T20:30:00+08:00') }))
      .rejects('not-in-future')
  })
})
