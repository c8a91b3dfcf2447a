import {
  type AppendMetadata,
  type DomainEventToAppend,
  type EventDataToAppend,
  type EventForStore,
  type EventType,
  streamFor,
  toEventToAppend,
} from '@trec/contracts'
import type { BackingRuleSet } from '../src/backing-rules.ts'

// A generated province in miniature, written as the write-side services would write it (the
// contract events, checked by `toEventToAppend`): two institutions, two programmes, four classes
// in two cities, workers enrolled, face-checked, completed, certified, claimed for and paid. Some
// payments are planted faults that the compliance read model must find; the generator says which.
// Deterministic in its seed.

export interface GeneratedAppend {
  stream: string
  event: EventForStore
}

export type PlantedFault = 'evidence-missing' | 'no-completion' | 'paid-twice' | 'identity-not-verified'

export interface GeneratedPayment {
  event: string
  claim: string
  worker: string
  paymentRef: string
  amount: number
  /** Fen transferred (amount less the advance applied). */
  transfer: number
  payee: { kind: 'worker' | 'provider' | 'enterprise'; id: string }
  fault: PlantedFault | null
  /** The backing codes the fault must produce. */
  expectedReasons: string[]
}

export interface GeneratedRecord {
  appends: GeneratedAppend[]
  workers: string[]
  payments: GeneratedPayment[]
  advances: { event: string; paymentRef: string; class: string; provider: string; amount: number }[]
  /** Classes by id, with their institution and region. */
  classes: Record<string, { institution: string; region: string; programme: string }>
}

export interface GenerateOptions {
  workers: number
  seed?: number
  /** Share of payments planted with a fault (default 0.2). */
  faultRate?: number
  /** Pseudonyms for the first workers (e.g. of test card numbers); the rest are random. */
  pseudonyms?: readonly string[]
}

/** mulberry32: a small seeded PRNG, enough for reproducible test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (rand: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('')

/** A UUIDv4-shaped id from the PRNG (ids must be unique in a store, not unpredictable here). */
export function seededUuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(rand, 3)}-${hex(rand, 12)}`
}

/** A TEST rule set in the shape of services/subsidy/rules (the 石家庄 requirements, not seed amounts). */
export const testRuleSet: BackingRuleSet = {
  id: 'test-sjz',
  version: 1,
  kinds: {
    training: { requires: { enrolment: true, attendance: true, completion: true, certificate: false } },
    skill_upgrade: {
      requires: { enrolment: false, attendance: false, completion: false, certificate: true },
      certificateKinds: ['occupational_qualification', 'skill_level'],
    },
  },
  practice: { minAttendanceShare: 0.75, countFaceChecks: true },
}

const sealed = (kid: string) => ({
  sealed: 'A256GCM' as const,
  kid,
  iv: 'k3Jq9xVb0aLmP2sT',
  ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
})
const templateHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const institutions = [
  {
    id: 'inst-130100-0042',
    name: '石家庄市长安区新航职业培训学校',
    uscc: '52130100MJ0123456N',
    region: '130102',
  },
  {
    id: 'inst-130600-0007',
    name: '保定市竞秀区职业技能培训中心',
    uscc: '52130100MJ0123456N',
    region: '130602',
  },
]
const programmes = [
  { id: 'prog-130100-0107', occupationCode: '6-31-01-03', title: '电工', level: 4 },
  { id: 'prog-130600-0311', occupationCode: '6-18-02-04', title: '焊工', level: 5 },
]
const classDefs = [
  { id: 'cls-2021-0001', inst: 0, prog: 0, region: '130102' },
  { id: 'cls-2021-0002', inst: 0, prog: 1, region: '130104' },
  { id: 'cls-2021-0003', inst: 1, prog: 1, region: '130602' },
  { id: 'cls-2021-0004', inst: 1, prog: 0, region: '130606' },
]
const sessionIds = ['s1', 's2', 's3', 's4']
const perWorker = 200_000
const advanceClass = classDefs[0]!

export function generateRecord(options: GenerateOptions): GeneratedRecord {
  const rand = prng(options.seed ?? 1)
  const faultRate = options.faultRate ?? 0.2
  const appends: GeneratedAppend[] = []
  const add = <T extends EventType>(
    type: T,
    data: EventDataToAppend<T>,
    meta: { at: string; region: string; actor?: AppendMetadata['actor'] },
  ): string => {
    const id = seededUuid(rand)
    const event = { type, data } as DomainEventToAppend
    appends.push({
      stream: streamFor(event),
      event: toEventToAppend(event, {
        id,
        occurredAt: meta.at,
        actor: meta.actor ?? { kind: 'system', id: 'generator' },
        source: 'trec.generator',
        region: meta.region,
      }),
    })
    return id
  }

  for (const i of institutions)
    add(
      'InstitutionDesignated',
      {
        institution: i.id,
        legalName: i.name,
        uscc: i.uscc,
        region: i.region,
        kinds: ['private_provider'],
        effectiveFrom: '2020-01-01',
      },
      { at: '2020-01-01T09:00:00+08:00', region: i.region },
    )
  for (const p of programmes)
    add(
      'ProgrammePublished',
      {
        programme: p.id,
        region: '130000',
        occupationCode: p.occupationCode,
        occupationTitle: p.title,
        level: p.level,
        subsidyKind: 'training',
        amount: perWorker,
        shortage: false,
        effectiveFrom: '2021-01-01',
      },
      { at: '2021-01-01T09:00:00+08:00', region: '130000' },
    )
  const sessions = sessionIds.map((session, i) => ({
    session,
    start: `2021-04-0${6 + i}T08:30:00+08:00`,
    end: `2021-04-0${6 + i}T12:00:00+08:00`,
    venue: '实训楼',
    mode: 'offline' as const,
  }))
  const teachers = [{ teacher: 'tch-0091', role: 'both' as const }]
  const classes: GeneratedRecord['classes'] = {}
  for (const c of classDefs) {
    const inst = institutions[c.inst]!
    classes[c.id] = { institution: inst.id, region: c.region, programme: programmes[c.prog]!.id }
    const at = '2021-03-20T09:00:00+08:00'
    add(
      'ClassOpeningApplied',
      {
        class: c.id,
        institution: inst.id,
        programme: programmes[c.prog]!.id,
        region: c.region,
        mode: 'offline',
        route: 'designated_institution',
        plannedStart: '2021-04-06',
        plannedEnd: '2021-04-09',
        plannedHours: 16,
        capacity: 5000,
        sessions,
        teachers,
      },
      { at, region: c.region },
    )
    add(
      'PreTrainingReviewDecided',
      { class: c.id, outcome: 'passed', reviewer: { kind: 'authority', id: 'hrss-1301' }, reasons: [] },
      { at, region: c.region },
    )
    add(
      'ClassOpened',
      { class: c.id, institution: inst.id, sessions, teachers, roster: [] },
      { at: '2021-04-01T09:00:00+08:00', region: c.region },
    )
  }

  const workers: string[] = []
  const payments: GeneratedPayment[] = []
  const advances: GeneratedRecord['advances'] = []
  const advanceWorkers = Math.ceil(options.workers / classDefs.length)
  let advanceBalance = 0
  if (options.workers > 0) {
    const subsidyTotal = perWorker * advanceWorkers
    const amount = subsidyTotal / 2
    const paymentRef = `ADV-${advanceClass.id}`
    const event = add(
      'AdvancePaid',
      {
        class: advanceClass.id,
        provider: institutions[advanceClass.inst]!.id,
        subsidyTotal,
        share: 0.5,
        amount,
        ruleSet: { id: testRuleSet.id, version: testRuleSet.version },
        paymentRef,
      },
      {
        at: '2021-04-02T10:00:00+08:00',
        region: advanceClass.region,
        actor: { kind: 'finance', id: 'finance-1' },
      },
    )
    advances.push({
      event,
      paymentRef,
      class: advanceClass.id,
      provider: institutions[advanceClass.inst]!.id,
      amount,
    })
    advanceBalance = amount
  }

  for (let n = 0; n < options.workers; n++) {
    const worker = options.pseudonyms?.[n] ?? hex(rand, 32)
    workers.push(worker)
    const c = classDefs[n % classDefs.length]!
    const inst = institutions[c.inst]!
    const region = c.region
    const staff = { kind: 'institution_staff' as const, id: 'staff-1', institution: inst.id }
    const fault: PlantedFault | null =
      rand() < faultRate
        ? (['evidence-missing', 'no-completion', 'paid-twice', 'identity-not-verified'] as const)[
            Math.floor(rand() * 4)
          ]!
        : null
    if (rand() < 0.04 && fault === null) {
      // A failed real-name check: recorded alone, the worker is not enrolled.
      add(
        'IdentityVerified',
        {
          worker,
          class: c.id,
          method: 'ssc_platform',
          platformRef: `SSC-${n}`,
          result: 'mismatch',
          verifiedBy: { kind: 'platform', id: 'ssc-national' },
        },
        { at: '2021-04-02T09:00:00+08:00', region, actor: staff },
      )
      continue
    }
    const verified = add(
      'IdentityVerified',
      {
        worker,
        class: c.id,
        method: 'ssc_platform',
        platformRef: `SSC-${n}`,
        result: 'verified',
        verifiedBy: { kind: 'platform', id: 'ssc-national' },
      },
      { at: '2021-04-02T09:00:00+08:00', region, actor: staff },
    )
    const enrolled = add(
      'WorkerEnrolled',
      { worker, class: c.id, institution: inst.id, name: sealed(worker), idNumber: sealed(worker) },
      { at: '2021-04-02T09:00:00+08:00', region, actor: staff },
    )
    add(
      'RosterEntryAdded',
      { class: c.id, worker },
      { at: '2021-04-02T09:00:00+08:00', region, actor: staff },
    )
    if (fault === 'identity-not-verified')
      // A later check before the payment fails: the cited match no longer stands.
      add(
        'IdentityVerified',
        {
          worker,
          class: c.id,
          method: 'face',
          platformRef: `SSC-${n}-2`,
          result: 'mismatch',
          verifiedBy: { kind: 'platform', id: 'ssc-national' },
        },
        { at: '2021-04-03T09:00:00+08:00', region, actor: staff },
      )
    const checks: string[] = []
    for (const [i, session] of sessionIds.entries()) {
      const pass = fault === 'no-completion' ? i < 2 : fault !== null || rand() < 0.93
      const id = add(
        'FaceCheckRecorded',
        {
          worker,
          class: c.id,
          session,
          device: 'dev-fc-0031',
          checkedAt: `2021-04-0${6 + i}T08:27:41+08:00`,
          purpose: 'sign_in',
          result: pass ? 'pass' : 'fail',
          matchScore: pass ? 0.93 : 0.41,
          liveness: { method: 'silent', score: 0.97, passed: true },
          templateHash,
        },
        { at: `2021-04-0${6 + i}T08:27:41+08:00`, region, actor: { kind: 'device', id: 'dev-fc-0031' } },
      )
      if (pass) checks.push(id)
    }
    const share = checks.length / sessionIds.length
    const passed = share >= 0.75 && (fault !== null || rand() < 0.9)
    const day = 10 + (n % 15)
    const completedAt = `2021-04-${day}T17:00:00+08:00`
    const completion = add(
      'TrainingCompleted',
      {
        worker,
        class: c.id,
        attendedHours: 16 * share,
        requiredHours: 16,
        attendanceShare: share,
        minimumAttendanceShare: 0.75,
        passed,
        evidence: checks,
      },
      { at: completedAt, region, actor: { kind: 'assessor', id: 'assessor-1' } },
    )
    if (passed && rand() < 0.6) {
      const assessment = `asm-${n}`
      add(
        'AssessmentResultRecorded',
        {
          worker,
          assessment,
          class: c.id,
          occupationCode: programmes[c.prog]!.occupationCode,
          level: programmes[c.prog]!.level,
          score: 82,
          passed: true,
          evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
          assessedOn: `2021-04-${day}`,
        },
        { at: completedAt, region, actor: { kind: 'assessor', id: 'assessor-1' } },
      )
      add(
        'CertificateIssued',
        {
          worker,
          certificate: `cert-${n}`,
          kind: 'skill_level',
          issuer: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
          serial: `S${String(n).padStart(8, '0')}`,
          occupationCode: programmes[c.prog]!.occupationCode,
          level: programmes[c.prog]!.level,
          issuedOn: `2021-04-${day}`,
          assessment,
        },
        { at: completedAt, region, actor: { kind: 'assessor', id: 'assessor-1' } },
      )
    }
    if (rand() < 0.5)
      add(
        'EmploymentOutcomeObserved',
        {
          worker,
          outcome: rand() < 0.8 ? 'employed' : 'self_employed',
          source: 'social_insurance',
          sourceRef: `SI-${n}`,
          observedAt: '2021-06-01T00:00:00+08:00',
        },
        { at: '2021-06-01T00:00:00+08:00', region },
      )
    if (rand() < 0.5)
      add(
        'WorkerGroupAttested',
        {
          worker,
          group: rand() < 0.5 ? 'migrant_worker' : 'enterprise_employee',
          source: { system: 'hebei-jinbao', ref: `G-${n}` },
          validFrom: '2021-01-01',
        },
        { at: '2021-03-01T00:00:00+08:00', region },
      )

    // A claim by the provider, paid (faults are paid regardless: that is what they plant).
    if (!(passed || fault !== null) || rand() < 0.15) continue
    const claim = `clm-${worker}-1`
    const ruleSet = { id: testRuleSet.id, version: testRuleSet.version }
    const officer = { kind: 'subsidy_officer' as const, id: 'officer-1' }
    add(
      'SubsidyClaimSubmitted',
      {
        claim,
        worker,
        region,
        kind: 'training',
        payee: { kind: 'provider', id: inst.id },
        amount: perWorker,
        class: c.id,
        claimedOn: '2021-05-01',
        ruleSet,
        occupationCode: programmes[c.prog]!.occupationCode,
        level: programmes[c.prog]!.level,
      },
      { at: '2021-05-01T09:00:00+08:00', region, actor: staff },
    )
    add(
      'SubsidyClaimReviewed',
      {
        claim,
        worker,
        reviewer: { kind: 'authority', id: 'hrss-1301' },
        outcome: 'approved',
        approvedAmount: perWorker,
        reasons: [],
        ruleSet,
      },
      { at: '2021-05-10T09:00:00+08:00', region, actor: { kind: 'reviewer', id: 'reviewer-1' } },
    )
    add(
      'SubsidyClaimDecided',
      { claim, worker, outcome: 'approved', approvedAmount: perWorker, reasons: [], ruleSet },
      { at: '2021-05-12T09:00:00+08:00', region, actor: officer },
    )
    const evidence = [enrolled, verified, ...checks, ...(fault === 'no-completion' ? [] : [completion])]
    if (fault === 'evidence-missing') evidence.push(seededUuid(rand))
    const month = rand() < 0.5 ? '06' : '07'
    const pay = (ref: string) => {
      const event = add(
        'SubsidyPaid',
        {
          claim,
          worker,
          amount: perWorker,
          payee: { kind: 'provider', id: inst.id },
          evidence,
          ruleSet,
          paymentRef: ref,
          fundSource: 'employment_subsidy_fund',
        },
        { at: `2021-${month}-15T10:00:00+08:00`, region, actor: { kind: 'finance', id: 'finance-1' } },
      )
      let applied = 0
      if (c.id === advanceClass.id && advanceBalance > 0) {
        applied = Math.min(advanceBalance, perWorker / 2)
        advanceBalance -= applied
        add(
          'AdvanceApplied',
          { class: c.id, provider: inst.id, claim, worker, amount: applied, balance: advanceBalance },
          { at: `2021-${month}-15T10:00:00+08:00`, region, actor: { kind: 'finance', id: 'finance-1' } },
        )
      }
      return { event, transfer: perWorker - applied }
    }
    const first = pay(`PAY-${n}`)
    const expectedReasons: Record<PlantedFault, string[]> = {
      'evidence-missing': ['evidence-missing'],
      'no-completion': ['no-completion', 'attendance-below-minimum'],
      'paid-twice': [],
      'identity-not-verified': ['identity-not-verified'],
    }
    payments.push({
      event: first.event,
      claim,
      worker,
      paymentRef: `PAY-${n}`,
      amount: perWorker,
      transfer: first.transfer,
      payee: { kind: 'provider', id: inst.id },
      fault: fault === 'paid-twice' ? null : fault,
      expectedReasons: fault ? expectedReasons[fault] : [],
    })
    if (fault === 'paid-twice') {
      const second = pay(`PAY-${n}-B`)
      payments.push({
        event: second.event,
        claim,
        worker,
        paymentRef: `PAY-${n}-B`,
        amount: perWorker,
        transfer: second.transfer,
        payee: { kind: 'provider', id: inst.id },
        fault,
        expectedReasons: ['claim-paid-before'],
      })
    }
    if (fault === null && rand() < 0.05)
      add(
        'SubsidyClawedBack',
        { claim, worker, amount: perWorker, reason: 'paid_in_error', evidence: [first.event] },
        { at: '2021-08-01T10:00:00+08:00', region, actor: officer },
      )
  }
  return { appends, workers, payments, advances, classes }
}

/** Appends the generated events one by one, in order, to anything with the store's `append`. */
export async function appendRecord(
  store: { append(stream: string, events: EventForStore[]): Promise<unknown> },
  record: GeneratedRecord,
): Promise<void> {
  for (const { stream, event } of record.appends) await store.append(stream, [event])
}
