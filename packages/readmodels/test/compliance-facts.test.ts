import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { packComplianceData, unpackComplianceData } from '../src/index.ts'

// What compliance keeps of a worker event (packComplianceData) must give back, with the worker,
// every field the fold reads exactly as the event held it.

const worker = 'w-1'

describe('compliance facts', () => {
  it('keeps of a face check the values the fold reads, its class apart, and gives them back exactly', () => {
    const data = {
      worker,
      class: 'cls-130400-0008-01',
      session: 'cls-130400-0008-01-s01',
      device: 'dev-1',
      checkedAt: '2024-03-01T00:45:43.204Z',
      result: 'pass',
      matchScore: 0.9,
      liveness: { method: 'action', score: 0.97, passed: true },
      templateHash: 'e5c6',
    }
    const packed = packComplianceData('FaceCheckRecorded', data)
    expect(packed.class).toBe(data.class)
    expect(JSON.stringify(packed.data).length).toBeLessThan(40)
    expect(unpackComplianceData('FaceCheckRecorded', packed, worker)).toEqual({
      worker,
      class: data.class,
      session: data.session,
      checkedAt: data.checkedAt,
      result: 'pass',
      liveness: { passed: true },
    })
  })

  it('keeps of a card tap the values the hours reading needs, and gives them back exactly', () => {
    const data = {
      worker,
      class: 'cls-130400-0008-01',
      session: 'cls-130400-0008-01-s01',
      device: 'rdr-1',
      tappedAt: '2024-03-01T00:45:43.204Z',
      purpose: 'sign_out',
    }
    const { device: _, ...read } = data
    const packed = packComplianceData('CardTapRecorded', data)
    expect(packed).toEqual({ class: data.class, data: [['-s01'], Date.parse(data.tappedAt), 'sign_out'] })
    expect(unpackComplianceData('CardTapRecorded', packed, worker)).toEqual(read)
  })

  it('keeps an instant not in toISOString form, a session not named after its class, and absent fields as they were', () => {
    const data = {
      worker,
      class: 'c1',
      session: 's-9',
      checkedAt: '2024-03-01T08:45:43+08:00',
      result: 'fail',
    }
    const back = unpackComplianceData(
      'FaceCheckRecorded',
      packComplianceData('FaceCheckRecorded', data),
      worker,
    )
    expect(back).toEqual({ worker, class: 'c1', session: 's-9', checkedAt: data.checkedAt, result: 'fail' })
    const verified = { worker, result: 'verified', attestation: { issuer: 'x' } }
    expect(
      unpackComplianceData('IdentityVerified', packComplianceData('IdentityVerified', verified), worker),
    ).toEqual({ worker, result: 'verified' })
  })

  it('keeps a type the fold reads whole as it was, its class apart', () => {
    const data = { worker, claim: 'c', amount: 100, payee: { kind: 'worker', id: worker } }
    expect(unpackComplianceData('SubsidyPaid', packComplianceData('SubsidyPaid', data), worker)).toEqual(data)
    const enrolled = { worker, class: 'cls-1', institution: 'inst-1' }
    const packed = packComplianceData('WorkerEnrolled', enrolled)
    expect(packed).toEqual({ class: 'cls-1', data: { institution: 'inst-1' } })
    expect(unpackComplianceData('WorkerEnrolled', packed, worker)).toEqual(enrolled)
  })

  it('keeps a payment’s cited evidence in 22 characters an id, and gives it back exactly', () => {
    const evidence = [
      '40c1393f-796e-8d8f-a058-be4fdffedc96',
      '00000000-0000-4000-8000-000000000000',
      'ffffffff-ffff-8fff-bfff-ffffffffffff',
    ]
    const data = { worker, claim: 'c', evidence }
    const packed = packComplianceData('SubsidyPaid', data)
    expect((packed.data as { evidence: string }).evidence).toHaveLength(66)
    expect(unpackComplianceData('SubsidyPaid', packed, worker)).toEqual(data)
    const odd = { worker, claim: 'c', evidence: [...evidence, 'not-an-id'] }
    expect(packComplianceData('SubsidyPaid', odd).data).toEqual({ claim: 'c', evidence: odd.evidence })
    const many = { worker, evidence: Array.from({ length: 500 }, () => randomUUID()) }
    expect(unpackComplianceData('SubsidyPaid', packComplianceData('SubsidyPaid', many), worker)).toEqual(many)
    const none = { worker, claim: 'c', evidence: [] }
    expect(unpackComplianceData('SubsidyPaid', packComplianceData('SubsidyPaid', none), worker)).toEqual(none)
  })

  it('keeps no class of a type the fold reads only as cited evidence', () => {
    const reviewed = { worker, claim: 'c', class: 'cls-1', reviewer: 'r' }
    expect(packComplianceData('SubsidyClaimReviewed', reviewed)).toEqual({ class: null, data: [] })
  })
})
