import { describe, expect, it } from 'vitest'
import { foldClassView } from '../../src/domain/class-view.ts'
import { applied, classId, institution, opened, region, roster, sessions, stranger } from '../fixtures.ts'

describe('the class as attendance sees it', () => {
  it('takes institution and region from the application, schedule and roster from the opening', () => {
    const view = foldClassView([
      { type: 'ClassOpeningApplied', data: applied() },
      { type: 'PreTrainingReviewDecided', data: {} },
      { type: 'ClassOpened', data: opened() },
    ])
    expect(view).toMatchObject({ exists: true, opened: true, institution, region, mode: 'offline' })
    expect([...view.roster]).toEqual(roster)
    expect(view.sessions.get('ses-01')).toEqual({
      start: Date.parse(sessions[0]!.start),
      end: Date.parse(sessions[0]!.end),
      mode: 'offline',
      venue: '长安区建设北大街88号实训楼301',
    })
  })

  it('adds to the roster every worker of a RosterEntryAdded after the opening', () => {
    const view = foldClassView([
      { type: 'ClassOpeningApplied', data: applied() },
      { type: 'ClassOpened', data: opened({ roster: [] }) },
      { type: 'RosterEntryAdded', data: { class: classId, worker: stranger } },
    ])
    expect([...view.roster]).toEqual([stranger])
  })

  it('is not open before its ClassOpened, and does not exist before its application', () => {
    expect(foldClassView([{ type: 'ClassOpeningApplied', data: applied() }]).opened).toBe(false)
    expect(foldClassView([{ type: 'ClassOpened', data: opened() }]).exists).toBe(false)
  })

  it('closes once, at the time the closing happened', () => {
    const view = foldClassView([
      { type: 'ClassOpeningApplied', data: applied() },
      {
        type: 'ClassClosed',
        data: { class: classId, reason: 'cancelled' },
        occurredAt: '2024-04-09T09:00:00+08:00',
      },
      {
        type: 'ClassClosed',
        data: { class: classId, reason: 'completed' },
        occurredAt: '2024-05-20T09:00:00+08:00',
      },
    ])
    expect(view.closedAt).toBe(Date.parse('2024-04-09T09:00:00+08:00'))
    expect(view.closedReason).toBe('cancelled')
  })
})
