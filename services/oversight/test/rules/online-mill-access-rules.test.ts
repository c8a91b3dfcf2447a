import type { EventDataToAppend } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { detect } from '../../src/detectors/run-rule.ts'
import { r10OnlineBrushing, r11CertificateMill, r13AccessWithoutCase } from '../../src/rules/index.ts'
import { loadRuleBook } from '../../src/rules/parameters.ts'
import { type History as H, History, hash, pseudonym } from '../support/history.ts'
import { openClass, sessions } from '../support/records.ts'

const rules = loadRuleBook()
const ann = pseudonym('ann')

function segment(
  h: H,
  worker: string,
  start: string,
  minutes: number,
  over: Partial<EventDataToAppend<'OnlineLearningSegmentRecorded'>> = {},
) {
  return h.add(
    'OnlineLearningSegmentRecorded',
    {
      worker,
      class: 'cls-o',
      platform: 'plat-1',
      lesson: `lesson-${start.slice(11, 16)}`,
      start,
      end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
      playbackRate: 1,
      clientFingerprint: hash(Number.parseInt(worker.slice(0, 6), 16)),
      ...over,
    },
    { at: start },
  )
}

describe('R10 online-course brushing', () => {
  it('raises on a segment played faster than the rule book allows', async () => {
    const h = new History()
    const fast = segment(h, ann, '2024-04-08T20:00:00+08:00', 45, { playbackRate: 2 })
    const alerts = await detect(r10OnlineBrushing, rules.R10, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ subject: { kind: 'worker', id: ann }, evidence: [fast.id] })
  })

  it('raises on two segments of one worker that overlap in time', async () => {
    const h = new History()
    const a = segment(h, ann, '2024-04-08T20:00:00+08:00', 45)
    const b = segment(h, ann, '2024-04-08T20:30:00+08:00', 45, { lesson: 'lesson-other' })
    const alerts = await detect(r10OnlineBrushing, rules.R10, h.events)
    expect(alerts.map((x) => x.evidence)).toEqual([[a.id, b.id]])
  })

  it('raises on a platform-signed segment of 20 minutes or more with no interaction, citing it and R10 v2', async () => {
    const h = new History()
    const idle = segment(h, ann, '2024-04-08T20:00:00+08:00', 30, { signedBy: 'plat-1', interactions: 0 })
    segment(h, ann, '2024-04-08T21:00:00+08:00', 30, { signedBy: 'plat-1', interactions: 4 })
    segment(h, ann, '2024-04-08T22:00:00+08:00', 15, { signedBy: 'plat-1', interactions: 0 })
    const alerts = await detect(r10OnlineBrushing, rules.R10, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ evidence: [idle.id], measures: { minutes: 30, idleMinutes: 20 } })
    expect(rules.R10.version).toBe(2)
  })

  it('raises on more than 12 hours of study in a day', async () => {
    const h = new History()
    for (let i = 0; i < 13; i++)
      segment(h, ann, `2024-04-08T${String(6 + i).padStart(2, '0')}:00:00+08:00`, 60)
    const alerts = await detect(r10OnlineBrushing, rules.R10, h.events)
    expect(alerts.map((x) => x.measures)).toEqual([{ hours: 13, maxHoursPerDay: 12 }])
  })

  it('raises when one client fingerprint serves a fourth worker', async () => {
    const h = new History()
    const shared = hash(7)
    for (const name of ['a', 'b', 'c', 'd'])
      segment(h, pseudonym(name), '2024-04-08T20:00:00+08:00', 30, { clientFingerprint: shared })
    const alerts = await detect(r10OnlineBrushing, rules.R10, h.events)
    expect(alerts.map((x) => x.subject)).toEqual([{ kind: 'fingerprint', id: shared }])
  })

  it('does not raise for an evening of back-to-back lessons at 1.5× on a family computer of three', async () => {
    const h = new History()
    const family = hash(9)
    for (const name of ['a', 'b', 'c'])
      for (let i = 0; i < 4; i++)
        segment(h, pseudonym(name), `2024-04-${String(8 + i).padStart(2, '0')}T20:00:00+08:00`, 45, {
          clientFingerprint: family,
          playbackRate: 1.5,
        })
    segment(h, ann, '2024-04-08T20:00:00+08:00', 45)
    segment(h, ann, '2024-04-08T20:44:30+08:00', 45)
    expect(await detect(r10OnlineBrushing, rules.R10, h.events)).toEqual([])
  })
})

describe('R11 certificate-mill pass pattern', () => {
  function result(h: H, i: number, evaluator: string, score: number, passed = score >= 60, cls = 'cls-a') {
    return h.add('AssessmentResultRecorded', {
      worker: pseudonym(`w${i}`),
      assessment: `asm-${evaluator}-${i}`,
      class: cls,
      score,
      passed,
      evaluator: { kind: 'social_evaluation_org', id: evaluator },
      assessedOn: '2024-05-20',
    })
  }

  it('raises for an evaluator and the institution when 20 of 20 pass with scores 88–92', async () => {
    const h = new History()
    openClass(h, 'cls-a', sessions(1), 'inst-mill')
    for (let i = 0; i < 20; i++) result(h, i, 'eval-mill', 88 + (i % 5))
    const alerts = await detect(r11CertificateMill, rules.R11, h.events)
    expect(alerts.map((a) => a.subject)).toEqual([
      { kind: 'evaluator', id: 'eval-mill' },
      { kind: 'institution', id: 'inst-mill' },
    ])
    expect(alerts[0]!.evidence).toHaveLength(20)
    expect(alerts[0]!.measures).toMatchObject({ results: 20, passRate: 1 })
    expect(alerts[0]!.measures!.scoreStdDev).toBeCloseTo(Math.SQRT2, 3)
  })

  it('does not raise for 19 results, for real score spread, or for one in twenty failing', async () => {
    const h = new History()
    for (let i = 0; i < 19; i++) result(h, i, 'eval-few', 90)
    for (let i = 0; i < 30; i++) result(h, 100 + i, 'eval-good', 70 + (i % 10) * 3)
    for (let i = 0; i < 20; i++) result(h, 200 + i, 'eval-strict', 90, i !== 0)
    expect(await detect(r11CertificateMill, rules.R11, h.events)).toEqual([])
  })
})

describe('R13 archive reads without a case', () => {
  const investigator = { kind: 'investigator' as const, id: 'inv-7' }
  function read(
    h: H,
    worker: string,
    over: Partial<EventDataToAppend<'RecordAccessed'>> = {},
    at = '2024-06-03T10:00:00+08:00',
  ) {
    return h.add(
      'RecordAccessed',
      {
        worker,
        view: 'archive',
        purpose: 'fraud_case',
        client: 'oversight-console',
        requestId: 'req-1',
        found: true,
        flags: over.caseRef ? [] : ['no_case_ref'],
        ...over,
      },
      { actor: investigator, at },
    )
  }

  it('raises on a fraud-case read that names no case', async () => {
    const h = new History()
    const r = read(h, ann)
    const alerts = await detect(r13AccessWithoutCase, rules.R13, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ subject: { kind: 'actor', id: 'inv-7' }, evidence: [r.id] })
  })

  it('raises on a read naming a case the oversight record does not hold', async () => {
    const h = new History()
    read(h, ann, { caseRef: 'case-made-up' })
    const alerts = await detect(r13AccessWithoutCase, rules.R13, h.events)
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringContaining('no case or sampling run')])
  })

  it('raises when an investigator reads more than 50 people in a day, even with a case', async () => {
    const h = new History()
    h.add('CaseOpened', {
      case: 'case-1',
      title: 't',
      region: '130102',
      basis: 'tip_off',
      subjects: [],
      alerts: [],
    })
    for (let i = 0; i < 51; i++) read(h, pseudonym(`w${i}`), { caseRef: 'case-1' })
    const alerts = await detect(r13AccessWithoutCase, rules.R13, h.events)
    expect(alerts.map((a) => a.measures)).toEqual([{ people: 51 }])
  })

  it('does not raise for reads under an open case, a card holder asking, or 50 people a day', async () => {
    const h = new History()
    h.add('CaseOpened', {
      case: 'case-1',
      title: 't',
      region: '130102',
      basis: 'tip_off',
      subjects: [],
      alerts: [],
    })
    for (let i = 0; i < 50; i++) read(h, pseudonym(`w${i}`), { caseRef: 'case-1' })
    h.add(
      'RecordAccessed',
      {
        worker: ann,
        view: 'archive',
        purpose: 'card_holder_request',
        client: 'ssc',
        requestId: 'r',
        found: true,
        flags: [],
      },
      { actor: { kind: 'card_service', id: 'ssc-1' } },
    )
    expect(await detect(r13AccessWithoutCase, rules.R13, h.events)).toEqual([])
  })
})
