import type { FraudRule } from '../detectors/fraud-rule.ts'
import { type ScheduleSlot, scheduleKey, scheduleOf } from './class-schedule.ts'

// R7 (docs/fraud-rules.md; UK NAO, MOHRSS process supervision): a completion recorded as passed
// when the record's own face checks do not bear it out. The share is recomputed from the
// class's offline sessions (ClassOpened): a session counts, for its scheduled hours, when the
// worker has a passing live check for it within `graceMinutes` of it — the same reading as the
// assessment service's attendance rule. Online time is R10's concern, so a class with no offline
// session is not judged here. A completion recorded before the last session ends is flagged
// too. Raised when the completion is recorded, before any claim on it.

interface Attended {
  /** session → the first passing check's event id */
  checks: Record<string, string>
}

const minuteMs = 60_000

export const r7CompletionWithoutAttendance: FraudRule<'R7'> = {
  id: 'R7',
  title: 'Completion without attendance',
  reads: ['ClassOpened', 'FaceCheckRecorded', 'TrainingCompleted'],
  keys: (event) => {
    if (event.type === 'ClassOpened') return [scheduleKey(event.data.class)]
    if (event.type === 'FaceCheckRecorded' || event.type === 'TrainingCompleted')
      return [scheduleKey(event.data.class), `a:${event.data.worker}|${event.data.class}`]
    return []
  },
  async step(event, state, params) {
    if (event.type === 'ClassOpened') {
      state.set(scheduleKey(event.data.class), scheduleOf(event))
      return []
    }
    const grace = params.graceMinutes * minuteMs
    if (event.type === 'FaceCheckRecorded') {
      const d = event.data
      if (d.result !== 'pass' || !d.liveness.passed) return []
      const slot = (await state.get<ScheduleSlot>(scheduleKey(d.class)))?.sessions[d.session]
      const at = Date.parse(d.checkedAt)
      if (slot && (at < slot[0] - grace || at > slot[1] + grace)) return []
      const key = `a:${d.worker}|${d.class}`
      const attended = (await state.get<Attended>(key)) ?? { checks: {} }
      if (attended.checks[d.session] === undefined) {
        attended.checks[d.session] = event.id
        state.set(key, attended)
      }
      return []
    }
    if (event.type !== 'TrainingCompleted' || !event.data.passed) return []
    const d = event.data
    const schedule = await state.get<ScheduleSlot>(scheduleKey(d.class))
    if (!schedule) return []
    const offline = Object.entries(schedule.sessions).filter(([, [, , mode]]) => mode === 'offline')
    if (offline.length === 0) return []
    const attended = (await state.get<Attended>(`a:${d.worker}|${d.class}`)) ?? { checks: {} }
    let required = 0
    let present = 0
    const evidence: string[] = []
    for (const [session, [start, end]] of offline.sort(([, a], [, b]) => a[0] - b[0])) {
      required += end - start
      const check = attended.checks[session]
      if (check !== undefined) {
        present += end - start
        evidence.push(check)
      }
    }
    const share = present / required
    const lastEnd = Math.max(...offline.map(([, [, end]]) => end))
    const early = Date.parse(event.occurredAt) < lastEnd - params.completionToleranceMinutes * minuteMs
    const short = share < params.minShare
    if (!short && !early) return []
    const reasons = [
      ...(short
        ? [
            `passing face checks cover ${(share * 100).toFixed(1)} % of the offline sessions' hours (${evidence.length} of ${offline.length} sessions), below ${(params.minShare * 100).toFixed(0)} %; the completion states ${(d.attendanceShare * 100).toFixed(1)} %`,
          ]
        : []),
      ...(early ? ['recorded before the last session ended'] : []),
    ]
    return [
      {
        subject: { kind: 'worker', id: d.worker },
        occurrence: d.class,
        evidence,
        summary: `completion of class ${d.class} passed although ${reasons.join('; ')}`,
        measures: {
          recomputedShare: share,
          statedShare: d.attendanceShare,
          minShare: params.minShare,
          sessions: offline.length,
          checkedSessions: evidence.length,
        },
      },
    ]
  },
}
