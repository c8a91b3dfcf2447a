import { describe, expect, it } from 'vitest'
import { detect } from '../../src/detectors/run-rule.ts'
import {
  r1DuplicateClaim,
  r2YearlyCap,
  r3LowerLevel,
  r8ClaimWithoutCertificate,
} from '../../src/rules/index.ts'
import { loadRuleBook } from '../../src/rules/parameters.ts'
import { History, pseudonym } from '../support/history.ts'
import { certificate, claim, reject } from '../support/records.ts'

const rules = loadRuleBook()
const ann = pseudonym('ann')

describe('R1 duplicate claim for one qualification', () => {
  it('raises on the second standing claim for the same worker, occupation, level and kind', async () => {
    const h = new History()
    const first = claim(h, ann, 'clm-1')
    const second = claim(h, ann, 'clm-2', { payee: { kind: 'provider', id: 'inst-2' }, region: '130602' })
    const alerts = await detect(r1DuplicateClaim, rules.R1, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      rule: 'R1',
      ruleVersion: rules.R1.version,
      subject: { kind: 'claim', id: 'clm-2' },
      evidence: [first.id, second.id],
      raisedAt: second.occurredAt,
    })
  })

  it('does not raise for another level, another kind, or after the first claim was rejected', async () => {
    const h = new History()
    claim(h, ann, 'clm-1')
    claim(h, ann, 'clm-2', { level: 3 })
    claim(h, ann, 'clm-3', { kind: 'skill_upgrade', payee: { kind: 'worker', id: ann } })
    const bob = pseudonym('bob')
    claim(h, bob, 'clm-4')
    reject(h, bob, 'clm-4')
    claim(h, bob, 'clm-5')
    expect(await detect(r1DuplicateClaim, rules.R1, h.events)).toEqual([])
  })
})

describe('R2 yearly cap', () => {
  const occupations = ['6-31-01-03', '6-18-02-04', '4-10-01-02', '4-03-02-01']

  it('raises on the claim that takes a worker above the cap in one calendar year', async () => {
    const h = new History()
    const claims = occupations.map((occupationCode, i) =>
      claim(h, ann, `clm-${i + 1}`, { occupationCode, claimedOn: `2024-0${i + 2}-15` }),
    )
    const alerts = await detect(r2YearlyCap, rules.R2, h.events)
    expect(alerts.map((a) => a.subject)).toEqual([{ kind: 'claim', id: 'clm-4' }])
    expect(alerts[0]!.evidence).toEqual(claims.map((c) => c.id))
    expect(alerts[0]!.measures).toEqual({ cap: 3, claimsInYear: 4 })
  })

  it('does not raise for claims spread over two years, or when one of them was rejected', async () => {
    const h = new History()
    occupations.forEach((occupationCode, i) => {
      claim(h, ann, `clm-${i + 1}`, { occupationCode, claimedOn: i < 2 ? '2023-11-01' : '2024-02-01' })
    })
    const bob = pseudonym('bob')
    occupations.forEach((occupationCode, i) => {
      claim(h, bob, `clm-b${i + 1}`, { occupationCode })
      if (i === 0) reject(h, bob, 'clm-b1')
    })
    expect(await detect(r2YearlyCap, rules.R2, h.events)).toEqual([])
  })
})

describe('R3 lower level after a higher certificate', () => {
  it('raises on a level-4 claim while the worker holds a level-3 certificate of the occupation', async () => {
    const h = new History()
    const held = certificate(h, ann, 'cert-1', { level: 3, issuedOn: '2023-06-01' })
    claim(h, ann, 'clm-1', { level: 4 })
    const alerts = await detect(r3LowerLevel, rules.R3, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      subject: { kind: 'claim', id: 'clm-1' },
      measures: { claimedLevel: 4, heldLevel: 3 },
    })
    expect(alerts[0]!.evidence[0]).toBe(held.id)
  })

  it('does not raise for a higher level, another occupation, or a certificate issued after the claim', async () => {
    const h = new History()
    certificate(h, ann, 'cert-1', { level: 4, issuedOn: '2023-06-01' })
    claim(h, ann, 'clm-1', { level: 3 })
    certificate(h, ann, 'cert-2', { level: 2, occupationCode: '6-18-02-04', issuedOn: '2023-06-01' })
    claim(h, ann, 'clm-2', { level: 4, occupationCode: '6-31-01-03', claimedOn: '2024-01-10' })
    const bob = pseudonym('bob')
    certificate(h, bob, 'cert-3', { level: 2, issuedOn: '2024-09-01' })
    claim(h, bob, 'clm-3', { level: 4, claimedOn: '2024-08-01' })
    expect(await detect(r3LowerLevel, rules.R3, h.events)).toEqual([])
  })
})

describe('R8 claim without a certificate, or before it', () => {
  const upgrade = (worker: string) => ({
    kind: 'skill_upgrade' as const,
    payee: { kind: 'worker' as const, id: worker },
  })

  it('raises on a skill-upgrade claim with no certificate in the record', async () => {
    const h = new History()
    claim(h, ann, 'clm-1', upgrade(ann))
    const alerts = await detect(r8ClaimWithoutCertificate, rules.R8, h.events)
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringContaining('no certificate')])
  })

  it('raises on a claim made before the certificate it names was issued', async () => {
    const h = new History()
    const cert = certificate(h, ann, 'cert-1', { issuedOn: '2024-06-01' })
    claim(h, ann, 'clm-1', { ...upgrade(ann), certificate: 'cert-1', claimedOn: '2024-05-20' })
    const alerts = await detect(r8ClaimWithoutCertificate, rules.R8, h.events)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.evidence[0]).toBe(cert.id)
    expect(alerts[0]!.measures).toEqual({ daysEarly: 12 })
  })

  it('does not raise for a claim on the day of its certificate, or for a kind that needs none', async () => {
    const h = new History()
    certificate(h, ann, 'cert-1', { issuedOn: '2024-05-10' })
    claim(h, ann, 'clm-1', { ...upgrade(ann), certificate: 'cert-1', claimedOn: '2024-05-10' })
    claim(h, pseudonym('bob'), 'clm-2', { kind: 'training' })
    expect(await detect(r8ClaimWithoutCertificate, rules.R8, h.events)).toEqual([])
  })
})
