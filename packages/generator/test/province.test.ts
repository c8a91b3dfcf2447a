import { decodeRecorded } from '@trec/contracts'
import { detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { type AlertRecord, alertsOf, embedded } from '@trec/oversight/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fraudPatterns, type InjectedCase } from '../src/province/inject.ts'
import { allFraud, buildProvince, generateProvince, type ProvinceOptions } from '../src/province/province.ts'

// The synthetic province against the detectors: every injected case is found by its rule, with
// the events that carry it as evidence, while the class runs where the rule can see it then; an
// honest province raises nothing; the province is a function of its seed.

const rules = loadRuleBook()
const small: Omit<ProvinceOptions, 'seed'> = {
  institutions: 4,
  classesPerInstitution: [1, 2],
  classSize: [14, 24],
  sessionsPerClass: [6, 9],
  blendedShare: 0.4,
}

interface Found {
  rule: string
  subject: { kind: string; id: string }
  evidence: string[]
  raisedAt: string
}

const key = (rule: string, kind: string, id: string) => `${rule} ${kind} ${id}`

/** Compares alerts with the manifest: each case found, with its evidence, in time; nothing else. */
function compare(found: Found[], injected: InjectedCase[]) {
  const byKey = new Map<string, Found[]>()
  for (const f of found) {
    const k = key(f.rule, f.subject.kind, f.subject.id)
    byKey.set(k, [...(byKey.get(k) ?? []), f])
  }
  const expected = new Set(injected.map((c) => key(c.rule, c.subject.kind, c.subject.id)))
  return {
    missed: injected.filter((c) => !byKey.has(key(c.rule, c.subject.kind, c.subject.id))).map((c) => c.note),
    withoutEvidence: injected
      .filter((c) =>
        byKey
          .get(key(c.rule, c.subject.kind, c.subject.id))
          ?.every((f) => !c.events.every((e) => f.evidence.includes(e))),
      )
      .map((c) => c.note),
    late: injected
      .filter(
        (c) =>
          c.dueBy &&
          byKey
            .get(key(c.rule, c.subject.kind, c.subject.id))
            ?.every((f) => Date.parse(f.raisedAt) > Date.parse(c.dueBy!)),
      )
      .map((c) => `${c.note} (due ${c.dueBy})`),
    unexpected: [...byKey.keys()].filter((k) => !expected.has(k)),
  }
}

const fromRecord = (a: AlertRecord): Found => ({
  rule: a.rule,
  subject: { kind: a.subject_kind, id: a.subject_id },
  evidence: a.evidence,
  raisedAt: a.raised_at,
})

describe('a generated province with injected fraud, through the store and the detector projections', () => {
  it('has every injected case found by its rule, with its evidence, in time, and no other alert', async () => {
    const env = await embedded()
    const manifest = await generateProvince(env.store, {
      seed: 'province-fraud',
      ...small,
      fraud: allFraud(0.03),
    })
    expect(new Set(manifest.injected.map((c) => c.pattern))).toEqual(new Set(fraudPatterns))
    const side = env.readSide()
    await side.setup()
    await side.catchUp()
    const alerts = await alertsOf(env.db, side)
    expect(compare(alerts.map(fromRecord), manifest.injected)).toEqual({
      missed: [],
      withoutEvidence: [],
      late: [],
      unexpected: [],
    })
    // And rebuilt from zero, every read model is the live one.
    const rebuilt = env.readSide({ schema: `${env.readSchema}_rebuild` })
    await rebuilt.setup()
    await rebuilt.catchUp()
    for (const [i, runner] of side.runners.entries())
      expect(await rebuilt.runners[i]!.digest(), runner.projection.name).toBe(await runner.digest())
    // Thirteen detector projections, each run twice over the province in PGlite: about 40 s on the
    // shared 2-core machine at a load average of 17, beyond the default 30 s.
  }, 180_000)

  it('raises no alert at all when nobody cheats', async () => {
    const env = await embedded()
    const manifest = await generateProvince(env.store, { seed: 'province-clean', ...small })
    expect(manifest.injected).toEqual([])
    expect(manifest.counts.events).toBeGreaterThan(1000)
    const side = env.readSide()
    await side.setup()
    await side.catchUp()
    expect(await alertsOf(env.db, side)).toEqual([])
  })
})

describe('the province generator', () => {
  it('is a function of its seed: the same seed gives the same events and manifest, another seed others', () => {
    const a = buildProvince({ seed: 'same', ...small, fraud: allFraud(0.05) })
    const b = buildProvince({ seed: 'same', ...small, fraud: allFraud(0.05) })
    const c = buildProvince({ seed: 'other', ...small, fraud: allFraud(0.05) })
    expect(b.events).toEqual(a.events)
    expect(b.manifest).toEqual(a.manifest)
    expect(c.events[0]!.event.id).not.toBe(a.events[0]!.event.id)
  })

  it('writes events in the order they happened, each valid under its contract', () => {
    const { events } = buildProvince({ seed: 'order', ...small, fraud: allFraud(0.05) })
    const times = events.map((e) => Date.parse(String(e.event.metadata.occurredAt)))
    expect(times).toEqual([...times].sort((x, y) => x - y))
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length)
  })

  it('for any seed, the rules find exactly the injected cases (in memory)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.constantFrom(0, 0.04),
        async (seed, rate) => {
          const { events, manifest } = buildProvince({
            seed,
            ...small,
            institutions: 3,
            fraud: rate ? allFraud(rate) : {},
          })
          const envelopes = events.map(({ stream, event }, i) =>
            decodeRecorded({
              ...event,
              stream,
              revision: 0,
              position: BigInt(i + 1),
              recordedAt: '2025-01-01T00:00:00.000Z',
            }),
          )
          const found = await detectAll(Object.values(fraudRules), rules, envelopes)
          expect(compare(found, manifest.injected)).toEqual({
            missed: [],
            withoutEvidence: [],
            late: [],
            unexpected: [],
          })
        },
      ),
      { numRuns: 4 },
    )
  })
})
