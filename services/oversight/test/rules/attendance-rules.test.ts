import { describe, expect, it } from 'vitest'
import { detect } from '../../src/detectors/run-rule.ts'
import {
  r4ImpossiblePresence,
  r6SharedFaceOrDevice,
  r7CompletionWithoutAttendance,
} from '../../src/rules/index.ts'
import { loadRuleBook, withRule } from '../../src/rules/parameters.ts'
import { History, pseudonym } from '../support/history.ts'
import { baoding, faceCheck, openClass, sessions, templateOf } from '../support/records.ts'

const rules = loadRuleBook()
const ann = pseudonym('ann')

describe('R4 two classes at once, or impossible travel', () => {
  it('raises when passing checks are 124 km apart 20 minutes apart (372 km/h, above 120)', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(2))
    openClass(h, 'cls-b', sessions(2, '2024-04-09'))
    const first = faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    const second = faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:15:00+08:00', { place: baoding })
    const alerts = await detect(r4ImpossiblePresence, rules.R4, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ subject: { kind: 'worker', id: ann }, evidence: [first.id, second.id] })
    expect(alerts[0]!.measures).toMatchObject({ minutes: 20 })
    expect(alerts[0]!.measures!.distanceKm).toBeCloseTo(124, 0)
    expect(alerts[0]!.measures!.speedKmh).toBeCloseTo(372, 0)
  })

  it('raises for passing checks in two classes whose sessions overlap, at the same place', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(1))
    openClass(h, 'cls-b', sessions(1))
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T10:30:00+08:00')
    const alerts = await detect(r4ImpossiblePresence, rules.R4, h.events)
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringContaining('sessions overlap')])
  })

  it('raises when the checks arrive out of order (a device uploads its batch late)', async () => {
    const h = new History()
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:15:00+08:00', { place: baoding })
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    expect(await detect(r4ImpossiblePresence, rules.R4, h.events)).toHaveLength(1)
  })

  it('does not raise for the same trip made in three hours, or for checks in one city', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(1))
    openClass(h, 'cls-b', sessions(1, '2024-04-09'))
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T09:00:00+08:00')
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T12:00:00+08:00', {
      purpose: 'sign_out',
      place: { lat: 38.05, lon: 114.52 },
    })
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T15:00:00+08:00', { place: baoding })
    expect(await detect(r4ImpossiblePresence, rules.R4, h.events)).toEqual([])
  })

  it('ignores a failed check far away (someone else tried the card)', async () => {
    const h = new History()
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:00:00+08:00', { place: baoding, result: 'fail' })
    expect(await detect(r4ImpossiblePresence, rules.R4, h.events)).toEqual([])
  })

  it('takes its speed limit from the rule book', async () => {
    const h = new History()
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:00:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-04-08T09:30:00+08:00', { place: baoding })
    expect(await detect(r4ImpossiblePresence, rules.R4, h.events)).toEqual([])
    const strict = withRule(rules, 'R4', {
      ...rules.R4,
      version: 2,
      params: { ...rules.R4.params, maxSpeedKmh: 60 },
    })
    const alerts = await detect(r4ImpossiblePresence, strict.R4, h.events)
    expect(alerts.map((a) => a.ruleVersion)).toEqual([2])
  })
})

describe('R6 one face template or one device serving many workers', () => {
  it('raises when one template hash passes for a second worker', async () => {
    const h = new History()
    const bob = pseudonym('bob')
    const own = faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:50:00+08:00')
    const proxy = faceCheck(h, bob, 'cls-a', 's1', '2024-04-08T08:51:00+08:00', {
      templateHash: templateOf(ann),
    })
    const alerts = await detect(r6SharedFaceOrDevice, rules.R6, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      subject: { kind: 'template', id: templateOf(ann) },
      evidence: [own.id, proxy.id],
      measures: { workers: 2 },
    })
  })

  it('raises when a device passes more than 8 workers within 30 seconds', async () => {
    const h = new History()
    for (let i = 0; i < 9; i++)
      faceCheck(
        h,
        pseudonym(`w${i}`),
        'cls-a',
        's1',
        `2024-04-08T08:50:${String(i * 3).padStart(2, '0')}+08:00`,
      )
    const alerts = await detect(r6SharedFaceOrDevice, rules.R6, h.events)
    expect(alerts.map((a) => a.subject)).toEqual([{ kind: 'device', id: 'dev-cls-a' }])
    expect(alerts[0]!.evidence).toHaveLength(9)
  })

  it('raises for one batch recorded worker by worker, not in check time: 9 workers within 27 s', async () => {
    // The attendance service records a device's batch grouped by worker: each worker's sign-in,
    // then their sign-out hours later. The sign-ins interleave in check time with no order.
    const order = [4, 0, 8, 1, 7, 2, 6, 3, 5]
    const signIns = new Map<number, string>()
    const h = new History()
    for (const i of order) {
      const worker = pseudonym(`w${i}`)
      const signIn = faceCheck(
        h,
        worker,
        'cls-a',
        's1',
        `2024-04-08T08:50:${String(i * 3 + 3).padStart(2, '0')}+08:00`,
      )
      signIns.set(i, signIn.id)
      const out = `2024-04-08T12:${String(10 + i * 5).padStart(2, '0')}:00+08:00`
      faceCheck(h, worker, 'cls-a', 's1', out, { purpose: 'sign_out' })
    }
    const alerts = await detect(r6SharedFaceOrDevice, rules.R6, h.events)
    expect(alerts.map((a) => a.subject)).toEqual([{ kind: 'device', id: 'dev-cls-a' }])
    expect(alerts[0]!.measures).toEqual({ workers: 9, seconds: 30 })
    expect(new Set(alerts[0]!.evidence)).toEqual(new Set(signIns.values()))

    // A projection: the same events give the same alert, and so do the checks sent one by one.
    expect(await detect(r6SharedFaceOrDevice, rules.R6, h.events)).toEqual(alerts)
    const checkedAt = (e: (typeof h.events)[number]) =>
      e.type === 'FaceCheckRecorded' ? e.data.checkedAt : ''
    const inTime = [...h.events].sort((a, b) => checkedAt(a).localeCompare(checkedAt(b)))
    const oneByOne = await detect(r6SharedFaceOrDevice, rules.R6, inTime)
    expect(oneByOne.map((a) => [a.alert, a.measures])).toEqual(alerts.map((a) => [a.alert, a.measures]))
  })

  it('does not raise for a class queueing at its terminal, 8 workers every 30 seconds, each with their own face', async () => {
    const h = new History()
    for (let i = 0; i < 40; i++) {
      const at = new Date(Date.parse('2024-04-08T08:40:00+08:00') + i * 4_000).toISOString()
      faceCheck(h, pseudonym(`w${i}`), 'cls-a', 's1', at)
    }
    expect(await detect(r6SharedFaceOrDevice, rules.R6, h.events)).toEqual([])
  })

  it('raises when a device passes more different workers in a day than the rule book allows', async () => {
    const h = new History()
    for (let i = 0; i < 121; i++) {
      const at = new Date(Date.parse('2024-04-08T08:00:00+08:00') + i * 60_000).toISOString()
      faceCheck(h, pseudonym(`w${i}`), 'cls-a', 's1', at)
    }
    const alerts = await detect(r6SharedFaceOrDevice, rules.R6, h.events)
    expect(alerts.map((a) => a.measures)).toEqual([{ workers: 121 }])
  })
})

describe('R7 completion without attendance', () => {
  function completion(h: History, worker: string, at = '2024-04-20T10:00:00+08:00', passed = true) {
    return h.add(
      'TrainingCompleted',
      {
        worker,
        class: 'cls-a',
        attendedHours: 30,
        requiredHours: 30,
        attendanceShare: 1,
        minimumAttendanceShare: 0.8,
        passed,
        evidence: [],
      },
      { at },
    )
  }
  const attend = (h: History, worker: string, days: number[]) =>
    days.map((d) =>
      faceCheck(
        h,
        worker,
        'cls-a',
        `s${d}`,
        new Date(Date.parse('2024-04-08T08:55:00+08:00') + (d - 1) * 86_400_000).toISOString(),
      ),
    )

  it('raises on a passed completion when passing checks cover 3 of 10 sessions', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(10))
    const checks = attend(h, ann, [1, 2, 3])
    const done = completion(h, ann)
    const alerts = await detect(r7CompletionWithoutAttendance, rules.R7, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      subject: { kind: 'worker', id: ann },
      evidence: [...checks.map((c) => c.id), done.id],
      measures: { recomputedShare: 0.3, statedShare: 1, minShare: 0.8, sessions: 10, checkedSessions: 3 },
    })
  })

  it('counts sessions bracketed by card taps (持卡参训), and raises when the taps show an early leave', async () => {
    const tap = (h: History, worker: string, d: number, purpose: 'sign_in' | 'sign_out', minutes: number) =>
      h.add('CardTapRecorded', {
        worker,
        class: 'cls-a',
        session: `s${d}`,
        device: 'rdr-1',
        tappedAt: new Date(
          Date.parse('2024-04-08T09:00:00+08:00') + (d - 1) * 86_400_000 + minutes * 60_000,
        ).toISOString(),
        purpose,
      })
    const h = new History()
    openClass(h, 'cls-a', sessions(10))
    const bob = pseudonym('bob')
    attend(h, ann, [1, 2, 3, 4, 5, 6])
    attend(h, bob, [1, 2, 3, 4, 5, 6])
    for (const d of [7, 8]) {
      tap(h, ann, d, 'sign_in', 10)
      tap(h, ann, d, 'sign_out', 175)
      tap(h, bob, d, 'sign_in', 10)
      tap(h, bob, d, 'sign_out', 120)
    }
    completion(h, ann)
    completion(h, bob)
    const alerts = await detect(r7CompletionWithoutAttendance, rules.R7, h.events)
    expect(alerts.map((a) => [a.subject.id, a.measures?.recomputedShare])).toEqual([[bob, 0.6]])
  })

  it('raises on a completion recorded before the last session ends', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(10))
    attend(h, ann, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    completion(h, ann, '2024-04-17T10:00:00+08:00')
    const alerts = await detect(r7CompletionWithoutAttendance, rules.R7, h.events)
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringContaining('before the last session ended')])
  })

  it('does not raise at exactly the minimum share, nor for a failed completion, nor counting checks out of the session', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(10))
    attend(h, ann, [1, 2, 3, 4, 5, 6, 7, 8])
    completion(h, ann)
    const bob = pseudonym('bob')
    attend(h, bob, [1])
    completion(h, bob, undefined, false)
    const eve = pseudonym('eve')
    attend(h, eve, [1, 2, 3, 4, 5, 6, 7])
    // A check for session 8 taken the day after it: outside the session, so it does not count.
    faceCheck(h, eve, 'cls-a', 's8', '2024-04-16T09:00:00+08:00')
    const alerts = await detect(r7CompletionWithoutAttendance, rules.R7, h.events)
    expect(alerts).toEqual([])
    completion(h, eve)
    expect(
      (await detect(r7CompletionWithoutAttendance, rules.R7, h.events)).map((a) => a.subject.id),
    ).toEqual([eve])
  })

  it('does not count a check whose liveness failed', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(10))
    attend(h, ann, [1, 2, 3, 4, 5, 6, 7])
    faceCheck(h, ann, 'cls-a', 's8', '2024-04-15T08:55:00+08:00', {
      liveness: { method: 'silent', score: 0.2, passed: false },
    })
    completion(h, ann)
    expect(await detect(r7CompletionWithoutAttendance, rules.R7, h.events)).toHaveLength(1)
  })

  it('reads a blended class by the one reading: online sessions by learning records, in person by face checks', async () => {
    // Ten sessions: 1–7 in person, 8–10 online (3 h each). Ann checks in for all seven and
    // learns online through the three online sessions; Bob checks in for all seven, no learning.
    const h = new History()
    const schedule = [
      ...sessions(7),
      ...sessions(3, '2024-04-15', 'online').map((s, i) => ({ ...s, session: `s${8 + i}` })),
    ]
    openClass(h, 'cls-a', schedule)
    attend(h, ann, [1, 2, 3, 4, 5, 6, 7])
    const segments = schedule.slice(7).map((s) =>
      h.add(
        'OnlineLearningSegmentRecorded',
        {
          worker: ann,
          class: 'cls-a',
          platform: 'plat-1',
          lesson: `lesson-${s.session}`,
          start: s.start,
          end: s.end,
          playbackRate: 1,
          clientFingerprint: 'a'.repeat(64),
        },
        { at: s.end },
      ),
    )
    completion(h, ann)
    const bob = pseudonym('bob')
    attend(h, bob, [1, 2, 3, 4, 5, 6, 7])
    completion(h, bob)
    const alerts = await detect(r7CompletionWithoutAttendance, rules.R7, h.events)
    // Ann: 30 of 30 hours; Bob: 21 of 30 (70 %), though every in-person session was checked.
    expect(alerts.map((a) => a.subject.id)).toEqual([bob])
    expect(alerts[0]!.measures).toMatchObject({
      recomputedShare: 0.7,
      attendedHours: 21,
      requiredHours: 30,
      onlineSessions: 3,
    })
    expect(segments.length).toBe(3)
  })
})
