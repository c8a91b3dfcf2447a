import { type DomainEvent, decodeRecorded, type Envelope } from '@trec/contracts'
import { buildProvince } from '@trec/generator'
import { detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { type FoldEvent, foldWorkerCompliance } from '@trec/readmodels'
import {
  defaultRulesDir,
  type Evidence,
  evolveSubsidy,
  type Fact,
  initialSubsidyState,
  loadRuleSets,
  runGate,
  type SubsidyEvent,
} from '@trec/subsidy'
import { describe, expect, it } from 'vitest'

// One reading of attendance hours, three readers: a generated province with 20% blended classes
// (part online, part in person) and some completions whose face checks were taken away after the
// fact (R7's injected fraud). For every passed completion, class by class, the subsidy gate (run
// on the worker's record as the service reads it), the compliance check of the payment (on the
// evidence the payment cites) and fraud rule R7 (over the feed) must find the same workers short
// of hours, and no one else; honest blended classes pass the gate whole and are paid.

const { events, manifest } = buildProvince({
  seed: 'blended-hours-21',
  blendedShare: 0.2,
  institutions: 6,
  fraud: { 'R7-completion-without-attendance': 0.04 },
})
const decoded: Envelope[] = events.map(({ event }, i) =>
  decodeRecorded({
    ...event,
    stream: '',
    revision: 0,
    position: BigInt(i + 1),
    recordedAt: '2024-01-01T00:00:00.000Z',
  }),
)
const fold: FoldEvent[] = decoded.map((e) => ({
  id: e.id,
  type: e.type,
  position: e.position,
  recordedAt: e.recordedAt,
  occurredAt: e.occurredAt,
  data: e.data,
}))
// The rule set the generated payments cite, as shipped: the gate and compliance judge by it.
const ruleSets = loadRuleSets(defaultRulesDir)
const rules = ruleSets.find((s) => s.id === 'sjz-2019')!

const workerOf = (e: Envelope) => (e.data as { worker?: string }).worker
const classOf = (e: Envelope) => (e.data as { class?: string }).class
const reference = new Set([
  'ClassOpeningApplied',
  'ClassOpened',
  'ProgrammePublished',
  'InstitutionDesignated',
  'InstitutionDelisted',
])
const shared = decoded.filter((e) => workerOf(e) === undefined && reference.has(e.type))
const byWorker = new Map<string, Envelope[]>()
for (const e of decoded) {
  const w = workerOf(e)
  if (w !== undefined) byWorker.set(w, [...(byWorker.get(w) ?? []), e])
}
const modes = new Map<string, string>()
for (const e of decoded) if (e.type === 'ClassOpeningApplied') modes.set(e.data.class, e.data.mode)
const key = (worker: string, cls: string) => `${worker}|${cls}`

/** The gate's verdict on a training claim for each passed completion (the claim made, or one as it would be). */
function gateVerdicts() {
  const short = new Set<string>()
  const refused = new Map<string, string[]>()
  for (const c of decoded) {
    if (c.type !== 'TrainingCompleted' || !c.data.passed) continue
    const { worker, class: cls } = c.data
    const own = byWorker.get(worker) ?? []
    const evidence: Evidence = {
      facts: [...own, ...shared].map((e) => ({ id: e.id, type: e.type, data: e.data }) as Fact),
    }
    let state = initialSubsidyState()
    for (const e of own)
      if (e.type.startsWith('Subsidy') || e.type === 'ContributionHistoryAttested')
        state = evolveSubsidy(state, { type: e.type, data: e.data } as SubsidyEvent)
    // A training claim on the completion: the one made, or one as it would be (a skill-upgrade
    // claim on the same class is paid on the certificate, not the hours, so it is not the probe).
    const made = Object.values(state.claims).find(
      (k) => k.submitted.class === cls && k.submitted.kind === 'training',
    )
    const applied = shared.find((e) => e.type === 'ClassOpeningApplied' && classOf(e) === cls)!
    const submitted = made?.submitted
    const claimedOn = submitted?.claimedOn ?? c.occurredAt.slice(0, 10)
    const result = runGate({
      claim: {
        claim: submitted?.claim ?? `clm-${worker}-probe`,
        worker,
        region: submitted?.region ?? (applied.data as { region: string }).region,
        kind: 'training',
        payee: submitted?.payee ?? {
          kind: 'provider',
          id: (applied.data as { institution: string }).institution,
        },
        amount: submitted?.amount ?? 1,
        class: cls,
        certificate: submitted?.certificate,
        claimedOn,
      },
      rules,
      evidence,
      history: Object.values(state.claims),
      today: claimedOn,
    })
    if (result.violations.some((v) => v.rule === 'attendance-minimum')) short.add(key(worker, cls))
    if (made && result.violations.length > 0)
      refused.set(
        key(worker, cls),
        result.violations.map((v) => v.rule),
      )
  }
  return { short, refused }
}

/** Compliance's verdict on every training payment: unbacked for want of hours, or backed. */
function complianceVerdicts() {
  const short = new Set<string>()
  const backed = new Set<string>()
  const classRefs = fold.filter((e) => reference.has(e.type) && workerOf(e as never) === undefined)
  for (const [worker, own] of byWorker) {
    const record = fold.filter((e) => own.some((o) => o.id === e.id))
    for (const p of foldWorkerCompliance(worker, [...record, ...classRefs], { rules: ruleSets }).payments) {
      // A skill-upgrade payment is made on the certificate, not the hours (D2): not compared.
      if (!p.class || p.kind !== 'training') continue
      if (p.reasons.some((r) => r.code === 'attendance-below-minimum')) short.add(key(worker, p.class))
      if (p.reasons.length === 0) backed.add(key(worker, p.class))
    }
  }
  return { short, backed }
}

describe('one reading of hours over a generated province with 20% blended classes', () => {
  const blended = [...modes].filter(([, mode]) => mode === 'blended').map(([c]) => c)
  const injected = new Set(
    manifest.injected
      .filter((i) => i.rule === 'R7')
      .map((i) => {
        const completion = decoded.find((e) => e.id === i.events[0])!
        return key(i.subject.id, classOf(completion)!)
      }),
  )

  it('has blended classes, about a fifth of them, and completions short of hours injected', () => {
    expect(blended.length).toBeGreaterThan(0)
    expect(blended.length / modes.size).toBeGreaterThan(0.05)
    expect(blended.length / modes.size).toBeLessThan(0.5)
    expect(injected.size).toBeGreaterThan(0)
  })

  it('finds the same workers short, class by class, in the gate, in compliance and in R7', async () => {
    const gate = gateVerdicts()
    const compliance = complianceVerdicts()
    const alerts = await detectAll([fraudRules.R7], loadRuleBook(), decoded as DomainEvent[] as Envelope[])
    const r7 = new Set(
      alerts.map((a) => {
        const completion = decoded.find((e) => a.evidence.includes(e.id) && e.type === 'TrainingCompleted')
        return key(a.subject.id, classOf(completion!)!)
      }),
    )
    const classes = new Set([...modes.keys()])
    let compared = 0
    for (const cls of classes) {
      const inClass = (s: Set<string>) => [...s].filter((k) => k.endsWith(`|${cls}`)).sort()
      expect(inClass(gate.short), `gate and R7 on ${cls} (${modes.get(cls)})`).toEqual(inClass(r7))
      expect(inClass(gate.short), `gate and the injected cases on ${cls}`).toEqual(inClass(injected))
      // Compliance judges payments: every paid completion the gate finds short, compliance does too.
      const paidInClass = [...compliance.short, ...compliance.backed].filter((k) => k.endsWith(`|${cls}`))
      for (const k of paidInClass)
        expect(compliance.short.has(k), `compliance on ${k}`).toBe(gate.short.has(k))
      compared += paidInClass.length
    }
    expect(compared).toBeGreaterThan(0)
    expect([...compliance.short].length).toBeGreaterThan(0)
  })

  it('pays honest blended classes: the gate passes their claims whole and compliance backs the payments', () => {
    const gate = gateVerdicts()
    const compliance = complianceVerdicts()
    const honestBlended = [...compliance.backed, ...compliance.short].filter(
      (k) => blended.includes(k.split('|')[1]!) && !injected.has(k),
    )
    expect(honestBlended.length).toBeGreaterThan(0)
    for (const k of honestBlended) {
      expect(gate.refused.get(k) ?? [], `gate on ${k}`).toEqual([])
      expect(compliance.backed.has(k), `compliance on ${k}`).toBe(true)
    }
  })
})
