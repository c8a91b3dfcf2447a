import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { classDecider } from '../../src/domain/class.ts'
import { application, closed, delistedFrom, designated, now, opened, passed, sessions } from './fixtures.ts'

const review = (outcome: 'passed' | 'rejected', reasons: string[] = []) => ({
  kind: 'review' as const,
  data: { class: 'cls-1', outcome, reviewer: { kind: 'authority' as const, id: 'officer-7' }, reasons },
})
const rejected = { type: 'PreTrainingReviewDecided' as const, data: review('rejected', ['师资不足']).data }
const open = { kind: 'open' as const, institutionState: designated, now }
const close = (reason: 'completed' | 'cancelled' | 'stopped_by_authority', at = now) => ({
  kind: 'close' as const,
  reason,
  now: at,
})

describe('培训前审核 (D3)', () => {
  it('passes or rejects an application awaiting review', () => {
    spec(classDecider).given(application()).when(review('passed')).then(passed())
    spec(classDecider)
      .given(application())
      .when(review('rejected', ['师资不足']))
      .then(rejected)
  })

  it('reviews an application once', () => {
    spec(classDecider)
      .given(application(), passed())
      .when(review('rejected', ['x']))
      .rejects('review-not-pending')
    spec(classDecider).given(application(), rejected).when(review('passed')).rejects('review-not-pending')
  })
})

describe('开班', () => {
  it('opens a class whose review passed, with the reviewed schedule and an empty roster', () => {
    spec(classDecider).given(application(), passed()).when(open).then(opened())
  })

  it('refuses to open before the review passed, or after it rejected', () => {
    spec(classDecider).given(application()).when(open).rejects('review-not-passed')
    spec(classDecider).given(application(), rejected).when(open).rejects('review-not-passed')
  })

  it('refuses to open for a delisted institution', () => {
    spec(classDecider)
      .given(application(), passed())
      .when({ ...open, institutionState: delistedFrom('2024-03-20') })
      .rejects('institution-delisted')
  })

  it('opens once, and never after closing', () => {
    spec(classDecider).given(application(), passed(), opened()).when(open).rejects('class-already-opened')
    spec(classDecider).given(application(), passed(), closed('cancelled')).when(open).rejects('class-closed')
  })
})

describe('closing', () => {
  const afterLast = '2024-04-09T04:00:00.000Z' // 12:00 Beijing time, after the 11:30 end of the last session

  it('completes an open class once its last session has ended', () => {
    spec(classDecider)
      .given(application(), passed(), opened())
      .when(close('completed', afterLast))
      .then(closed('completed'))
  })

  it('refuses to complete a class before its last session ended', () => {
    const [reason] = spec(classDecider)
      .given(application(), passed(), opened())
      .when(close('completed', '2024-04-09T03:00:00.000Z'))
      .rejects('completed-before-last-session')
    expect(reason!.details).toEqual({ lastSessionEnds: new Date(sessions[1]!.end).toISOString() })
  })

  it('refuses to complete a class that never opened, but lets it be cancelled or stopped', () => {
    spec(classDecider)
      .given(application(), passed())
      .when(close('completed', afterLast))
      .rejects('class-not-opened')
    spec(classDecider).given(application(), passed()).when(close('cancelled')).then(closed('cancelled'))
    spec(classDecider)
      .given(application())
      .when(close('stopped_by_authority'))
      .then(closed('stopped_by_authority'))
  })

  it('closes once', () => {
    spec(classDecider)
      .given(application(), passed(), opened(), closed('cancelled'))
      .when(close('cancelled'))
      .rejects('class-closed')
  })

  it('keeps a note given with the closing', () => {
    spec(classDecider)
      .given(application(), passed(), opened())
      .when({ ...close('stopped_by_authority'), note: '双随机抽查发现虚假培训' })
      .then({
        type: 'ClassClosed',
        data: { class: 'cls-1', reason: 'stopped_by_authority', note: '双随机抽查发现虚假培训' },
      })
  })
})
