import { computeAttendance, defaultAttendancePolicy, type Envelope } from '@trec/contracts'
import { detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { describe, expect, it } from 'vitest'
import { buildProvince } from '../src/province/province.ts'
import { attendanceOf, envelopesOf } from './envelopes.ts'

// Issue 25 over a generated province: online learning signed by the platform, with face checks
// during learning. 5% of online learners skip the checks of a stretch, 5% play too fast, 5% run
// two lessons at once. Those stretches earn no hours (the one reading of hours), R10 raises the
// fast and parallel ones citing the segments, and every honest learner gets all their hours.

const book = loadRuleBook()

function province() {
  const { events, manifest } = buildProvince({
    seed: 'signed-online',
    institutions: 6,
    classesPerInstitution: [1, 2],
    classSize: [14, 20],
    sessionsPerClass: [6, 9],
    blendedShare: 1,
    signedOnline: { skipChecks: 0.05 },
    fraud: { 'R10-fast-playback': 0.05, 'R10-overlapping-segments': 0.05 },
  })
  const envelopes = envelopesOf(events)
  return { envelopes, manifest }
}

function hoursOf(envelopes: Envelope[], worker: string, cls: string) {
  const { sessions, facts } = attendanceOf(envelopes, worker, cls)
  return {
    facts,
    hours: computeAttendance(sessions, facts.faceChecks, facts.segments, defaultAttendancePolicy),
  }
}

describe('signed online learning in a generated province', () => {
  it('credits no skipped, fast or parallel stretch, R10 cites the evidence, honest learners get every hour', async () => {
    const { envelopes, manifest } = province()
    const segments = envelopes.filter((e) => e.type === 'OnlineLearningSegmentRecorded')
    expect(segments.length).toBeGreaterThan(100)
    expect(segments.every((e) => (e.data as { signedBy?: string }).signedBy !== undefined)).toBe(true)
    const skipped = manifest.uncredited ?? []
    const r10 = manifest.injected.filter((c) => c.rule === 'R10')
    expect(skipped.length).toBeGreaterThan(0)
    expect(new Set(r10.map((c) => c.pattern))).toEqual(
      new Set(['R10-fast-playback', 'R10-overlapping-segments']),
    )

    const classOf = new Map(segments.map((e) => [e.id, String(e.data.class)]))
    // Skipped checks and sped-up play: the segment earns nothing.
    const fast = r10.filter((c) => c.pattern === 'R10-fast-playback')
    for (const c of [
      ...skipped.map((s) => ({ worker: s.worker, events: s.segments })),
      ...fast.map((c) => ({ worker: c.subject.id, events: c.events })),
    ]) {
      const { hours } = hoursOf(envelopes, c.worker, classOf.get(c.events[0]!)!)
      for (const id of c.events) expect(hours.evidence).not.toContain(id)
    }
    // Parallel sessions: the time is counted once.
    for (const c of r10.filter((x) => x.pattern === 'R10-overlapping-segments')) {
      const { hours } = hoursOf(envelopes, c.subject.id, classOf.get(c.events[0]!)!)
      expect(hours.attendedHours).toBeLessThanOrEqual(hours.requiredHours)
    }

    const alerts = await detectAll([fraudRules.R10], book, envelopes)
    for (const c of r10)
      expect(
        alerts.some(
          (a) =>
            a.rule === 'R10' &&
            a.ruleVersion === book.R10.version &&
            a.subject.id === c.subject.id &&
            c.events.every((e) => a.evidence.includes(e)),
        ),
        `${c.pattern} ${c.subject.id}`,
      ).toBe(true)

    // Honest learners: every signed segment they played is credited, and R10 leaves them alone.
    const cheats = new Set([...skipped.map((s) => s.worker), ...r10.map((c) => c.subject.id)])
    const honest = [
      ...new Set(segments.map((e) => `${String(e.data.worker)}|${String(e.data.class)}`)),
    ].filter((k) => !cheats.has(k.split('|')[0]!))
    expect(honest.length).toBeGreaterThan(50)
    for (const key of honest) {
      const [worker, cls] = key.split('|') as [string, string]
      const { facts, hours } = hoursOf(envelopes, worker, cls)
      for (const s of facts.segments) expect(hours.evidence, key).toContain(s.id)
    }
    const honestWorkers = new Set(honest.map((k) => k.split('|')[0]))
    expect(alerts.filter((a) => a.subject.kind === 'worker' && honestWorkers.has(a.subject.id))).toEqual([])
  })
})
