import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { foldWorkerArchive } from '../src/index.ts'
import {
  certificate,
  claimed,
  cls,
  completed,
  decided,
  enrolled,
  fact,
  institution,
  otherWorker,
  paid,
  references,
  verified,
  worker,
} from './given.ts'

// The lifelong archive (终身职业技能培训电子档案, D3) folded from the record.

const trainedAndPaid = () => [
  ...references(1),
  verified(10),
  enrolled(11),
  completed(12, 0.9, true),
  certificate(13),
  claimed(14),
  decided(15),
  paid(16, []),
]

describe('the lifelong archive of a worker', () => {
  it('shows a training with its class, programme, occupation, level, hours and completion', () => {
    const archive = foldWorkerArchive(worker, trainedAndPaid())
    expect(archive.found).toBe(true)
    expect(archive.trainings).toEqual([
      {
        class: cls,
        institution,
        institutionName: '石家庄市长安区新航职业培训学校',
        programme: 'prog-130100-2021-0107',
        region: '130102',
        mode: 'offline',
        plannedHours: 80,
        occupationCode: '6-31-01-03',
        occupationTitle: '电工',
        level: 4,
        subsidyKind: 'training',
        enrolledAt: '2021-04-02T09:00:00+08:00',
        identityCheck: {
          checkedAt: '2021-05-01T09:00:00+08:00',
          method: 'ssc_platform',
          result: 'verified',
          verifiedBy: { id: 'ssc', kind: 'platform' },
        },
        identityVerified: true,
        status: 'passed',
        completion: {
          completedAt: '2021-04-20T17:00:00+08:00',
          attendedHours: 72,
          requiredHours: 80,
          attendanceShare: 0.9,
          passed: true,
        },
      },
    ])
    expect(archive.totals).toEqual({
      trainings: 1,
      passed: 1,
      hours: 72,
      certificates: 1,
      subsidyNet: 220_000,
    })
  })

  it('lists certificates, and a revoked one as revoked and not counted', () => {
    const archive = foldWorkerArchive(worker, [
      ...trainedAndPaid(),
      fact(
        'CertificateRevoked',
        { worker, certificate: 'cert-1', reason: 'fraud' },
        { position: 20, occurredAt: '2021-09-01T10:00:00+08:00' },
      ),
    ])
    expect(archive.certificates).toMatchObject([
      {
        certificate: 'cert-1',
        kind: 'skill_level',
        status: 'revoked',
        revokedAt: '2021-09-01T10:00:00+08:00',
        revocationReason: 'fraud',
      },
    ])
    expect(archive.totals.certificates).toBe(0)
  })

  it('counts subsidies by the year paid, and a recovery in the year it was made', () => {
    const archive = foldWorkerArchive(worker, [
      ...trainedAndPaid(),
      fact(
        'SubsidyClawedBack',
        { claim: 'clm-1', worker, amount: 20_000, reason: 'paid_in_error', evidence: [] },
        { position: 30, occurredAt: '2022-01-10T10:00:00+08:00' },
      ),
    ])
    expect(archive.subsidies.byYear).toEqual([
      { year: 2021, payments: 1, paid: 220_000, clawedBack: 0, net: 220_000 },
      { year: 2022, payments: 0, paid: 0, clawedBack: 20_000, net: -20_000 },
    ])
    expect(archive.subsidies.payments).toMatchObject([
      { claim: 'clm-1', kind: 'training', class: cls, clawedBack: 20_000 },
    ])
    expect(archive.totals.subsidyNet).toBe(200_000)
  })

  it('puts a payment at midnight in China in the year it was made there', () => {
    const archive = foldWorkerArchive(worker, [claimed(1), paid(2, [], {}, '2020-12-31T16:30:00Z')])
    expect(archive.subsidies.payments[0]!.year).toBe(2021)
  })

  it('shows the identity as unverified when the latest check failed', () => {
    const archive = foldWorkerArchive(worker, [verified(1), enrolled(2), verified(3, 'mismatch')])
    expect(archive.trainings[0]!.identityVerified).toBe(false)
  })

  it('is empty and not found for a worker with no record, whatever others have', () => {
    const archive = foldWorkerArchive(otherWorker, trainedAndPaid())
    expect(archive.found).toBe(false)
    expect(archive.trainings).toEqual([])
    expect(archive.throughPosition).toBe('0')
  })

  it('as of a past instant counts what the store had recorded by then, not what had happened by then', () => {
    // The completion happened on 20 April but was recorded on 1 June: as of 1 May it is not there.
    const events = [
      ...references(1),
      verified(10),
      enrolled(11),
      completed(12, 1, true, '2021-04-20T17:00:00+08:00', '2021-06-01T02:00:00.000Z'),
    ]
    const before = foldWorkerArchive(worker, events, { asOf: '2021-05-01T00:00:00+08:00' })
    expect(before.trainings[0]!.status).toBe('enrolled')
    expect(before.asOf).toBe('2021-05-01T00:00:00+08:00')
    const after = foldWorkerArchive(worker, events, { asOf: '2021-06-01T02:00:00.000Z' })
    expect(after.trainings[0]!.status).toBe('passed')
  })

  it('gives the same archive whatever order the events arrive in, and counts a repeated event once', () => {
    const events = trainedAndPaid()
    const expected = foldWorkerArchive(worker, events)
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.nat(events.length - 1),
        (shuffled, dup) => {
          expect(foldWorkerArchive(worker, [...shuffled, shuffled[dup]!])).toEqual(expected)
        },
      ),
    )
  })
})
