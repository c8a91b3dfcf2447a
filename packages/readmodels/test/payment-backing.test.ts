import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type BackingRuleSet,
  type Fact,
  type FoldEvent,
  foldWorkerCompliance,
  paymentBacking,
} from '../src/index.ts'
import { envelopes, generateRecord, testRuleSet } from '../test-support/index.ts'
import {
  certificate,
  claimed,
  completed,
  decided,
  enrolled,
  faceCheck,
  fact,
  otherWorker,
  paid,
  references,
  verified,
  worker,
} from './given.ts'

// 凡补必进、不进不补 (D1, D3), after the fact: a payment is backed when the record held, before it,
// the chain its rule set required, and the payment cites it.

const rules: BackingRuleSet = testRuleSet
const ids = (...events: FoldEvent[]) => events.map((e) => e.id)
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code)

/** A full chain: verified, enrolled, both sessions face-checked, completed, claimed, approved. */
function chain() {
  const refs = references(1)
  const v = verified(10)
  const e = enrolled(11)
  const f1 = faceCheck(12, 's1')
  const f2 = faceCheck(13, 's2')
  const c = completed(14)
  return { refs, v, e, f1, f2, c, record: [v, e, f1, f2, c, claimed(15), decided(16)] }
}
const sessions = ['s1', 's2'].map((session, i) => ({
  session,
  start: `2021-04-0${6 + i}T08:30:00+08:00`,
  end: `2021-04-0${6 + i}T12:00:00+08:00`,
  mode: 'offline' as const,
}))

describe('payment backing', () => {
  it('backs a payment that cites the whole chain, recorded before it', () => {
    const { v, e, f1, f2, c, record } = chain()
    const p = paid(20, ids(e, v, f1, f2, c))
    const result = paymentBacking(p, [...record, p], { rules, sessions })
    expect(result).toMatchObject({ backed: true, reasons: [], warnings: [] })
    expect(result.cited.every((x) => x.present && x.beforePayment)).toBe(true)
  })

  it('does not back a payment that cites an event the record does not hold', () => {
    const { v, e, f1, f2, c, record } = chain()
    const ghost = '00000000-0000-4000-8000-999999999999'
    const p = paid(20, [...ids(e, v, f1, f2, c), ghost])
    const result = paymentBacking(p, [...record, p], { rules, sessions })
    expect(result.backed).toBe(false)
    expect(result.reasons).toEqual([
      { code: 'evidence-missing', message: expect.any(String), details: { ids: [ghost] } },
    ])
    expect(result.cited.find((x) => x.id === ghost)).toEqual({
      id: ghost,
      type: null,
      present: false,
      beforePayment: false,
    })
  })

  it('does not back a payment whose evidence was recorded after it', () => {
    const { v, e, f1, f2, record } = chain()
    const late = completed(30)
    const p = paid(20, ids(e, v, f1, f2, late))
    const result = paymentBacking(p, [...record.filter((x) => x.type !== 'TrainingCompleted'), p, late], {
      rules,
      sessions,
    })
    expect(codes(result)).toEqual(['evidence-after-payment', 'no-completion', 'attendance-below-minimum'])
  })

  it('does not back a payment that cites another worker’s event', () => {
    const { e, f1, f2, c, record } = chain()
    const theirs = verified(17, 'verified', otherWorker)
    const p = paid(20, [...ids(e, f1, f2, c), theirs.id])
    expect(codes(paymentBacking(p, [...record, theirs, p], { rules, sessions }))).toEqual([
      'evidence-other-worker',
      'identity-not-verified',
    ])
  })

  it('does not back a payment when a later real-name check before it failed', () => {
    const { v, e, f1, f2, c, record } = chain()
    const p = paid(20, ids(e, v, f1, f2, c))
    expect(codes(paymentBacking(p, [...record, verified(17, 'mismatch'), p], { rules, sessions }))).toEqual([
      'identity-not-verified',
    ])
  })

  it('does not back a payment of a claim that was never approved, or for more than approved', () => {
    const { v, e, f1, f2, c, record } = chain()
    const evidence = ids(e, v, f1, f2, c)
    const rejected = [...record.filter((x) => x.type !== 'SubsidyClaimDecided'), decided(16, 'rejected')]
    const p = paid(20, evidence)
    expect(codes(paymentBacking(p, [...rejected, p], { rules, sessions }))).toEqual(['claim-not-approved'])
    const more = paid(21, evidence, { amount: 250_000 })
    expect(codes(paymentBacking(more, [...record, more], { rules, sessions }))).toEqual([
      'amount-above-approved',
    ])
    const noClaim = record.filter(
      (x) => x.type !== 'SubsidyClaimSubmitted' && x.type !== 'SubsidyClaimDecided',
    )
    expect(codes(paymentBacking(p, [...noClaim, p], { rules, sessions }))).toEqual([
      'claim-missing',
      'claim-not-approved',
    ])
  })

  it('does not back a payment below the attendance minimum, by share or by face-checked sessions', () => {
    const { v, e, f1, c, record } = chain()
    // Only one of the two sessions has a cited passing face check: 0.5 < 0.75.
    const p = paid(20, ids(e, v, f1, c))
    expect(paymentBacking(p, [...record, p], { rules, sessions }).reasons).toMatchObject([
      {
        code: 'attendance-below-minimum',
        details: { attendedHours: 3.5, requiredHours: 7, share: 0.5, minimum: 0.75 },
      },
    ])
    const low = completed(14, 0.5)
    const q = paid(21, ids(e, v, f1, low))
    expect(codes(paymentBacking(q, [...record.map((x) => (x.id === c.id ? low : x)), q], { rules }))).toEqual(
      ['attendance-below-minimum'],
    )
  })

  it('does not back a provider’s payment for a worker another institution enrolled', () => {
    const { v, e, f1, f2, c, record } = chain()
    const p = paid(20, ids(e, v, f1, f2, c), { payee: { kind: 'provider', id: 'inst-elsewhere' } })
    expect(codes(paymentBacking(p, [...record, p], { rules, sessions }))).toEqual([
      'payee-not-enrolling-institution',
    ])
  })

  describe('where the rule set requires a certificate (技能提升补贴, D2)', () => {
    const upgrade = (position: number, cert: Fact<'CertificateIssued'>, events: FoldEvent[] = []) => {
      const v = verified(1)
      const claim = claimed(3, {
        kind: 'skill_upgrade',
        payee: { kind: 'worker', id: worker },
        class: undefined,
        certificate: 'cert-1',
      })
      const p = paid(position, ids(v, cert), {
        payee: { kind: 'worker', id: worker },
        account: {
          kind: 'ssc_card',
          bankAccount: { sealed: 'A256GCM', kid: worker, iv: 'aaaa', ct: 'bbbb' },
        },
      })
      return { p, record: [v, cert, claim, decided(4), ...events, p] }
    }

    it('backs it with the certificate cited', () => {
      const { p, record } = upgrade(10, certificate(2))
      expect(paymentBacking(p, record, { rules }).backed).toBe(true)
    })

    it('does not back it when the certificate was revoked before the payment', () => {
      const cert = certificate(2)
      const { p, record } = upgrade(10, cert, [
        fact('CertificateRevoked', { worker, certificate: 'cert-1', reason: 'fraud' }, { position: 5 }),
      ])
      expect(codes(paymentBacking(p, record, { rules }))).toEqual(['certificate-revoked'])
    })

    it('backs it but warns when the certificate is revoked after the payment', () => {
      const { p, record } = upgrade(10, certificate(2), [])
      const result = paymentBacking(
        p,
        [
          ...record,
          fact('CertificateRevoked', { worker, certificate: 'cert-1', reason: 'fraud' }, { position: 11 }),
        ],
        { rules },
      )
      expect(result.backed).toBe(true)
      expect(result.warnings.map((w) => w.code)).toEqual(['certificate-revoked-after-payment'])
    })

    it('does not back it with a certificate of a kind that does not qualify', () => {
      const { p, record } = upgrade(
        10,
        certificate(2, {
          kind: 'special_ability',
          occupationCode: undefined,
          level: undefined,
          itemCode: 'Z-01',
        }),
      )
      expect(codes(paymentBacking(p, record, { rules }))).toEqual(['certificate-kind'])
    })
  })

  it('says so when the payment’s rule set is not known, and judges the chain the claim implies', () => {
    const { v, e, f1, f2, c, record } = chain()
    const p = paid(20, ids(e, v, f1, f2, c))
    expect(codes(paymentBacking(p, [...record, p], {}))).toEqual(['rule-set-unknown'])
    const q = paid(21, ids(v))
    expect(codes(paymentBacking(q, [...record, q], {}))).toEqual([
      'rule-set-unknown',
      'not-enrolled',
      'no-completion',
    ])
  })

  describe('target groups, judged again as the gate judges them', () => {
    const grouped: BackingRuleSet = {
      ...rules,
      kinds: {
        ...rules.kinds,
        training: {
          ...rules.kinds.training!,
          groups: { accepted: [{ group: 'unemployed', systems: ['hebei-jiuye'] }] },
        },
      },
    }
    const attested = (position: number, system: string, validTo?: string) =>
      fact(
        'WorkerGroupAttested',
        {
          worker,
          group: 'unemployed',
          source: { system, ref: `JY-${position}` },
          validFrom: '2021-01-01',
          ...(validTo ? { validTo } : {}),
        },
        { position },
      )

    it('backs a payment that cites an attestation valid on the claim’s day from an accepted system', () => {
      const { v, e, f1, f2, c, record } = chain()
      const g = attested(9, 'hebei-jiuye')
      const p = paid(20, ids(e, v, f1, f2, c, g))
      expect(paymentBacking(p, [g, ...record, p], { rules: grouped, sessions }).reasons).toEqual([])
    })

    it('does not back one whose attestation is uncited, from another system, or lapsed before the claim', () => {
      const { v, e, f1, f2, c, record } = chain()
      const uncited = attested(9, 'hebei-jiuye')
      const other = attested(8, 'someone-else')
      const lapsed = attested(7, 'hebei-jiuye', '2021-04-30')
      for (const [g, cite] of [
        [uncited, false],
        [other, true],
        [lapsed, true],
      ] as const) {
        const p = paid(20, ids(e, v, f1, f2, c, ...(cite ? [g] : [])))
        expect(codes(paymentBacking(p, [g, ...record, p], { rules: grouped, sessions }))).toEqual([
          'not-in-target-group',
        ])
      }
    })
  })
})

describe('the compliance fold over a generated record', () => {
  it('finds every planted fault, and backs every other payment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const generated = generateRecord({ workers: 24, seed, faultRate: 0.3 })
        const events = envelopes(generated.appends)
        const found = new Map(
          generated.workers.flatMap((w) =>
            foldWorkerCompliance(w, events, { rules: [testRuleSet] }).payments.map((p) => [p.payment, p]),
          ),
        )
        expect(found.size).toBe(generated.payments.length)
        for (const planted of generated.payments) {
          const p = found.get(planted.event)!
          expect(p.backed, `${planted.fault} ${JSON.stringify(p.reasons)}`).toBe(planted.fault === null)
          expect(p.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(planted.expectedReasons))
          expect(p.transfer).toBe(planted.transfer)
        }
      }),
      { numRuns: 15 },
    )
  })
})
