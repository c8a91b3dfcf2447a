import { decodeRecorded, type Envelope } from '@trec/contracts'
import { detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { describe, expect, it } from 'vitest'
import { bookingPatterns } from '../src/province/inject-bookings.ts'
import { identityPatterns } from '../src/province/inject-identities.ts'
import { ringPatterns } from '../src/province/inject-rings.ts'
import { buildProvince, type ProvinceOptions } from '../src/province/province.ts'

// R5 (a teacher or venue booked twice), R9 (ineligible or phantom trainees) and R12 (institutions
// sharing teachers, devices, faces, accounts) over generated provinces: every injected case is
// found, with the events that carry it and the rule's version, and an honest province raises none.

const book = loadRuleBook()
const rules = [fraudRules.R5, fraudRules.R9, fraudRules.R12]
const patterns = [...bookingPatterns, ...identityPatterns, ...ringPatterns]
const options: Omit<ProvinceOptions, 'seed'> = {
  institutions: 10,
  classesPerInstitution: [1, 3],
  classSize: [14, 24],
  sessionsPerClass: [6, 9],
}

function province(seed: string, rate: number) {
  const { events, manifest } = buildProvince({
    seed,
    ...options,
    fraud: Object.fromEntries(patterns.map((p) => [p, rate])),
  })
  const envelopes = events.map(({ stream, event }, i) =>
    decodeRecorded({
      ...event,
      stream,
      revision: 0,
      position: BigInt(i + 1),
      recordedAt: '2025-01-01T00:00:00.000Z',
    }),
  ) as Envelope[]
  return { envelopes, manifest }
}

describe('R5, R9 and R12 over a generated province', () => {
  it('find every injected case, citing its events and the rule version, and raise nothing else', async () => {
    const { envelopes, manifest } = province('booking-identity-ring', 0.05)
    const injected = manifest.injected.filter((c) => ['R5', 'R9', 'R12'].includes(c.rule))
    expect(new Set(injected.map((c) => c.pattern))).toEqual(new Set(patterns))
    const alerts = await detectAll(rules, book, envelopes)
    const ids = new Set(envelopes.map((e) => e.id))
    const found = injected.filter((c) =>
      alerts.some(
        (a) =>
          a.rule === c.rule &&
          a.subject.kind === c.subject.kind &&
          a.subject.id === c.subject.id &&
          c.events.every((e) => a.evidence.includes(e)),
      ),
    )
    const unexpected = alerts.filter(
      (a) => !injected.some((c) => c.rule === a.rule && c.subject.id === a.subject.id),
    )
    const byRule = (rule: string) => ({
      injected: injected.filter((c) => c.rule === rule).length,
      found: found.filter((c) => c.rule === rule).length,
      alerts: alerts.filter((a) => a.rule === rule).length,
    })
    console.log('injected, found, alerts:', { R5: byRule('R5'), R9: byRule('R9'), R12: byRule('R12') })
    expect(found.length).toBe(injected.length)
    expect(unexpected.map((a) => a.summary)).toEqual([])
    for (const a of alerts) {
      expect(a.ruleVersion).toBe(book[a.rule as 'R5' | 'R9' | 'R12'].version)
      expect(a.evidence.length).toBeGreaterThan(0)
      for (const e of a.evidence) expect(ids.has(e), `${a.rule} cites ${e}`).toBe(true)
    }
  })

  it('raise no alert on an honest province', async () => {
    const { envelopes, manifest } = province('booking-identity-ring-clean', 0)
    expect(manifest.injected).toEqual([])
    const alerts = await detectAll(rules, book, envelopes)
    console.log('honest province:', envelopes.length, 'events,', alerts.length, 'alerts of R5, R9, R12')
    expect(alerts.map((a) => a.summary)).toEqual([])
  })
})
