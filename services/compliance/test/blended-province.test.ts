import {
  attendanceFacts,
  computeAttendance,
  type DomainEvent,
  decodeRecorded,
  defaultAttendancePolicy,
  type ScheduledSession,
} from '@trec/contracts'
import { buildProvince, detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { type FoldEvent, foldWorkerCompliance } from '@trec/readmodels'
import { describe, expect, it } from 'vitest'

// A generated honest province with 20% blended classes (part online, part in person): the hours
// of every completion by the one reading (computeAttendance), the compliance fold over the
// payments, and fraud rule R7 agree on every class: each payment is backed, no completion is
// short, and R7 raises nothing. Before the one reading, compliance counted face checks over the
// online sessions too and marked the blended classes' honest payments unbacked.

const { events } = buildProvince({ seed: 'blended-2106', blendedShare: 0.2, institutions: 6 })
const decoded = events.map(({ event }, i) =>
  decodeRecorded({
    ...event,
    stream: '',
    revision: 0,
    position: BigInt(i + 1),
    recordedAt: '2024-01-01T00:00:00.000Z',
  }),
)
const fold: FoldEvent[] = decoded.map((e) => ({
  id: e.id,
  type: e.type,
  position: e.position,
  recordedAt: e.recordedAt,
  occurredAt: e.occurredAt,
  data: e.data,
}))
const rules = [
  {
    id: 'sjz-2019',
    version: 1,
    kinds: {
      training: { requires: { enrolment: true, attendance: true, completion: true, certificate: false } },
      skill_upgrade: {
        requires: { enrolment: false, attendance: false, completion: false, certificate: true },
      },
      apprenticeship: {
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
      },
    },
    practice: { minAttendanceShare: 0.8, countFaceChecks: true },
  },
]

describe('a generated province with 20% blended classes', () => {
  const schedules = new Map<string, ScheduledSession[]>()
  const modes = new Map<string, string>()
  for (const e of decoded) {
    if (e.type === 'ClassOpened') schedules.set(e.data.class, e.data.sessions)
    if (e.type === 'ClassOpeningApplied') modes.set(e.data.class, e.data.mode)
  }
  const blended = [...modes].filter(([, mode]) => mode === 'blended').map(([c]) => c)

  it('has blended classes, about a fifth of them', () => {
    expect(blended.length).toBeGreaterThan(0)
    expect(blended.length / modes.size).toBeLessThan(0.5)
  })

  it('reads every completion’s hours the same way: in person by face checks, online by learning records', () => {
    const completions = decoded.filter((e) => e.type === 'TrainingCompleted')
    expect(completions.length).toBeGreaterThan(0)
    for (const c of completions) {
      if (c.type !== 'TrainingCompleted') continue
      const mine = decoded.filter(
        (e) => (e.data as { worker?: string }).worker === c.data.worker,
      ) as (DomainEvent & {
        id: string
      })[]
      const facts = attendanceFacts(mine, c.data.class)
      const hours = computeAttendance(
        schedules.get(c.data.class)!,
        facts.faceChecks,
        facts.segments,
        defaultAttendancePolicy,
      )
      expect(hours.attendanceShare, `${c.data.worker} in ${c.data.class}`).toBeGreaterThanOrEqual(
        c.data.passed ? 0.8 : 0,
      )
    }
  })

  it('backs every payment in compliance, blended classes included, and R7 raises nothing', async () => {
    const workers = new Set(
      decoded.filter((e) => e.type === 'SubsidyPaid').map((e) => (e.data as { worker: string }).worker),
    )
    const reference = fold.filter((e) =>
      ['ClassOpeningApplied', 'ClassOpened', 'ProgrammePublished'].includes(e.type),
    )
    let paid = 0
    let inBlended = 0
    for (const worker of workers) {
      const own = fold.filter((e) => (e.data as { worker?: string }).worker === worker)
      for (const p of foldWorkerCompliance(worker, [...own, ...reference], { rules }).payments) {
        paid++
        if (p.class && blended.includes(p.class)) inBlended++
        expect(p.reasons, `${p.payment} of ${worker} in ${p.class}`).toEqual([])
      }
    }
    expect(paid).toBeGreaterThan(0)
    expect(inBlended).toBeGreaterThan(0)
    const alerts = await detectAll([fraudRules.R7], loadRuleBook(), decoded)
    expect(alerts).toEqual([])
  })
})
