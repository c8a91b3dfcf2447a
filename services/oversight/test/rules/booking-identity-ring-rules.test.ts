import type { EventDataToAppend } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { detect } from '../../src/detectors/run-rule.ts'
import { r5DoubleBooking, r9IneligibleTrainee, r12Collusion } from '../../src/rules/index.ts'
import { loadRuleBook, withRule } from '../../src/rules/parameters.ts'
import { type History as H, History, hash, pseudonym } from '../support/history.ts'
import { claim, faceCheck, sessions, templateOf } from '../support/records.ts'

const rules = loadRuleBook()
const ann = pseudonym('ann')
const bob = pseudonym('bob')

function open(
  h: H,
  cls: string,
  schedule: ReturnType<typeof sessions>,
  teacher: string,
  institution = 'inst-1',
) {
  return h.add('ClassOpened', {
    class: cls,
    institution,
    sessions: schedule,
    teachers: [{ teacher, role: 'both' }],
    roster: [],
  })
}

const inRoom = (room: string, s: ReturnType<typeof sessions>) => s.map((x) => ({ ...x, venue: room }))

describe('R5 a teacher or a venue booked in two classes at once', () => {
  it('raises on the second class when its teacher is booked by another class at the same times', async () => {
    const h = new History()
    const a = open(h, 'cls-a', inRoom('room-a', sessions(3)), 't-1', 'inst-1')
    const b = open(h, 'cls-b', inRoom('room-b', sessions(2, '2024-04-09')), 't-1', 'inst-2')
    const alerts = await detect(r5DoubleBooking, rules.R5, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      rule: 'R5',
      ruleVersion: rules.R5.version,
      subject: { kind: 'class', id: 'cls-b' },
      evidence: [a.id, b.id],
      measures: { sessions: 2, classes: 1 },
    })
  })

  it('raises when two classes with their own teachers use one room at overlapping times', async () => {
    const h = new History()
    open(h, 'cls-a', inRoom('room-1', sessions(2)), 't-1')
    open(h, 'cls-b', inRoom('room-1', sessions(1, '2024-04-08')), 't-2')
    const alerts = await detect(r5DoubleBooking, rules.R5, h.events)
    expect(alerts.map((x) => x.summary)).toEqual([expect.stringContaining('venue room-1')])
  })

  it('does not raise for a class booked where a cancelled class was', async () => {
    const h = new History()
    open(h, 'cls-a', inRoom('room-1', sessions(2)), 't-1')
    h.add('ClassClosed', { class: 'cls-a', reason: 'cancelled' })
    open(h, 'cls-b', inRoom('room-1', sessions(2)), 't-1')
    expect(await detect(r5DoubleBooking, rules.R5, h.events)).toEqual([])
    h.add('ClassClosed', { class: 'cls-b', reason: 'completed' })
    open(h, 'cls-c', inRoom('room-1', sessions(1)), 't-3')
    expect((await detect(r5DoubleBooking, rules.R5, h.events)).map((a) => a.subject.id)).toEqual(['cls-c'])
  })

  it('does not raise for back-to-back sessions, other days, online sessions or a changeover within tolerance', async () => {
    const h = new History()
    open(h, 'cls-a', inRoom('room-1', sessions(2)), 't-1')
    // 12:05 to 15:05 overlaps 09:00–12:00 by nothing; online sessions book no room.
    const afternoon = sessions(2).map((s) => ({
      ...s,
      venue: 'room-1',
      start: new Date(Date.parse(s.start) + 3 * 3_600_000 - 5 * 60_000).toISOString(),
      end: new Date(Date.parse(s.end) + 3 * 3_600_000).toISOString(),
    }))
    open(h, 'cls-b', afternoon, 't-1')
    open(h, 'cls-c', sessions(2, '2024-04-08', 'online'), 't-1')
    open(h, 'cls-d', inRoom('room-1', sessions(2, '2024-04-20')), 't-1')
    expect(await detect(r5DoubleBooking, rules.R5, h.events)).toEqual([])
    const strict = withRule(rules, 'R5', {
      ...rules.R5,
      version: 2,
      params: { ...rules.R5.params, overlapToleranceMinutes: 0 },
    })
    expect((await detect(r5DoubleBooking, strict.R5, h.events)).map((x) => x.ruleVersion)).toEqual([2, 2])
  })
})

const check = (
  h: H,
  worker: string,
  over: Partial<EventDataToAppend<'IdentityVerified'>> = {},
  at = '2024-04-01T09:00:00+08:00',
) =>
  h.add(
    'IdentityVerified',
    {
      worker,
      class: 'cls-a',
      method: 'card_chip',
      platformRef: `ref-${worker.slice(0, 6)}`,
      result: 'verified',
      verifiedBy: { kind: 'device', id: 'reader-1' },
      ...over,
    },
    { at },
  )

const enrol = (h: H, worker: string, at = '2024-04-01T09:00:00+08:00') =>
  h.add(
    'WorkerEnrolled',
    {
      worker,
      class: 'cls-a',
      institution: 'inst-1',
      name: { sealed: 'A256GCM', kid: 'k-1', iv: 'aaaaaaaaaaaaaaaa', ct: 'bbbbbbbbbbbbbbbbbbbb' },
      idNumber: { sealed: 'A256GCM', kid: 'k-1', iv: 'aaaaaaaaaaaaaaaa', ct: 'bbbbbbbbbbbbbbbbbbbb' },
    },
    { at, region: '130102' },
  )

const attestation = (facts?: NonNullable<EventDataToAppend<'IdentityVerified'>['attestation']>['facts']) => ({
  issuer: 'ssc-hebei',
  kid: 'k1',
  issuedAt: '2024-04-01T00:55:00.000Z',
  expiresAt: '2024-04-01T01:10:00.000Z',
  sha256: hash(7),
  ...(facts ? { facts } : {}),
})

describe('R9 ineligible or phantom trainees', () => {
  it('does not raise for an enrolment after a verified check', async () => {
    const h = new History()
    check(h, ann)
    enrol(h, ann)
    expect(await detect(r9IneligibleTrainee, rules.R9, h.events)).toEqual([])
  })

  it('raises for an enrolment after a check that answered mismatch, or with none', async () => {
    const h = new History()
    const failed = check(h, ann, { result: 'mismatch' })
    const enrolled = enrol(h, ann)
    enrol(h, bob)
    const alerts = await detect(r9IneligibleTrainee, rules.R9, h.events)
    expect(alerts.map((a) => a.subject.id)).toEqual([ann, bob])
    expect(alerts[0]).toMatchObject({ ruleVersion: rules.R9.version, evidence: [failed.id, enrolled.id] })
  })

  it('raises where the rule set in force requires a signed attestation and the check is unsigned', async () => {
    const h = new History()
    h.add('SubsidyRuleSetPublished', {
      province: '13',
      ruleSet: {
        id: 'changan-idv',
        version: 1,
        title: '长安区 实名认证',
        region: '130102',
        validFrom: '2024-01-01',
        source: 'test',
        shortageOccupations: { source: 'none', codes: [] },
        kinds: {
          training: {
            source: 'test',
            payees: ['provider'],
            amount: { basis: 'cap', perPerson: 220_000 },
            requires: { enrolment: true, attendance: true, completion: true, certificate: false },
          },
        },
        practice: { source: 'test' },
        identity: { source: 'D0', requireAttestation: true },
      },
    })
    check(h, ann)
    enrol(h, ann)
    check(h, bob, { method: 'ssc_platform', attestation: attestation() })
    enrol(h, bob)
    const alerts = await detect(r9IneligibleTrainee, rules.R9, h.events)
    expect(alerts.map((a) => [a.subject.id, a.summary])).toEqual([
      [ann, expect.stringContaining('changan-idv')],
    ])
  })

  it("raises when a check is another person's (the same reference already vouched for someone else)", async () => {
    const h = new History()
    const first = check(h, ann)
    enrol(h, ann)
    const second = check(h, bob, { platformRef: `ref-${ann.slice(0, 6)}` })
    enrol(h, bob)
    const alerts = await detect(r9IneligibleTrainee, rules.R9, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ subject: { id: bob }, evidence: [first.id, second.id] })
  })

  it('raises for a person attested deceased before enrolling, or in full-time study, in either order', async () => {
    const h = new History()
    const source = { system: 'civil-registry', ref: 'DR-1' }
    check(h, ann, { attestation: attestation([{ fact: 'deceased', on: '2023-10-01', source }]) })
    enrol(h, ann)
    enrol(h, bob, '2024-04-01T08:00:00+08:00')
    check(h, bob, {
      attestation: {
        ...attestation([{ fact: 'full_time_study', until: '2025-07-01', source }]),
        sha256: hash(8),
      },
    })
    const alerts = await detect(r9IneligibleTrainee, rules.R9, h.events)
    // bob's enrolment came before any check: that is R9's unverified pattern too.
    expect(alerts.map((a) => [a.subject.id, a.summary])).toEqual([
      [ann, expect.stringContaining('deceased on 2023-10-01')],
      [bob, expect.stringContaining('no real-name check')],
      [bob, expect.stringContaining('full-time study until 2025-07-01')],
    ])
    const lenient = withRule(rules, 'R9', {
      ...rules.R9,
      version: 2,
      params: { ...rules.R9.params, ineligibleFacts: ['deceased'], requireVerifiedCheck: false },
    })
    expect((await detect(r9IneligibleTrainee, lenient.R9, h.events)).map((a) => a.subject.id)).toEqual([ann])
  })
})

describe('R12 collusion between institutions', () => {
  it('raises when two institutions share a teacher and a terminal, citing each link on both sides', async () => {
    const h = new History()
    const a = open(h, 'cls-a', sessions(1), 't-1', 'inst-1')
    const b = open(h, 'cls-b', sessions(1, '2024-05-08'), 't-1', 'inst-2')
    const c1 = faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    expect(await detect(r12Collusion, rules.R12, h.events)).toEqual([])
    const c2 = faceCheck(h, bob, 'cls-b', 's1', '2024-05-08T08:55:00+08:00', { device: 'dev-cls-a' })
    const alerts = await detect(r12Collusion, rules.R12, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      ruleVersion: rules.R12.version,
      subject: { kind: 'institution', id: 'inst-1' },
      measures: { sharedLinks: 2, kinds: 2 },
    })
    expect(new Set(alerts[0]!.evidence)).toEqual(new Set([a.id, b.id, c1.id, c2.id]))
  })

  it('names the cluster a flagged pair belongs to: a ring of three shows whole in the alert that closes it', async () => {
    const h = new History()
    open(h, 'cls-a', sessions(1), 't-x', 'inst-1')
    open(h, 'cls-b', sessions(1, '2024-05-08'), 't-x', 'inst-2')
    open(h, 'cls-c', sessions(1, '2024-06-10'), 't-x', 'inst-3')
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, bob, 'cls-b', 's1', '2024-05-08T08:55:00+08:00', { device: 'dev-cls-a' })
    faceCheck(h, pseudonym('cai'), 'cls-c', 's1', '2024-06-10T08:55:00+08:00', { device: 'dev-cls-a' })
    const alerts = await detect(r12Collusion, rules.R12, h.events)
    expect(alerts.map((a) => [a.subject.id, a.measures?.clusterInstitutions])).toEqual([
      ['inst-1', 2],
      ['inst-1', 3],
      ['inst-2', 3],
    ])
    expect(alerts[2]!.summary).toContain('cluster of flagged pairs so far: inst-1, inst-2, inst-3')
  })

  it('links faces and accounts only through different workers: a person retraining elsewhere is no link', async () => {
    const h = new History()
    open(h, 'cls-a', sessions(1), 't-1', 'inst-1')
    open(h, 'cls-b', sessions(1, '2024-05-08'), 't-2', 'inst-2')
    faceCheck(h, ann, 'cls-a', 's1', '2024-04-08T08:55:00+08:00')
    faceCheck(h, ann, 'cls-b', 's1', '2024-05-08T08:55:00+08:00')
    const account = (worker: string, cls: string, n: number) => {
      const id = claim(h, worker, `clm-${n}`, { class: cls, payee: { kind: 'worker', id: worker } })
      h.add('SubsidyPaid', {
        claim: id.data.claim,
        worker,
        amount: 100_000,
        payee: { kind: 'worker', id: worker },
        account: {
          kind: 'ssc_card',
          bankAccount: { sealed: 'A256GCM', kid: 'k-1', iv: 'aaaaaaaaaaaaaaaa', ct: 'bbbbbbbbbbbbbbbbbbbb' },
          pseudonym: pseudonym('account-1'),
        },
        evidence: [id.id],
        ruleSet: { id: 'sjz-2019', version: 1 },
        paymentRef: `pay-${n}`,
      })
    }
    account(ann, 'cls-a', 1)
    account(ann, 'cls-b', 2)
    expect(await detect(r12Collusion, rules.R12, h.events)).toEqual([])
    // Bob's face passes at inst-2 as ann's, and bob is paid into ann's account: two links of two kinds.
    faceCheck(h, bob, 'cls-b', 's1', '2024-05-08T09:00:00+08:00', { templateHash: templateOf(ann) })
    account(bob, 'cls-b', 3)
    const alerts = await detect(r12Collusion, rules.R12, h.events)
    expect(alerts.map((x) => x.summary)).toEqual([
      expect.stringMatching(/inst-1 and inst-2 share 2 links of 2 kinds/),
    ])
  })
})
