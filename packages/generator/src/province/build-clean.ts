import {
  type Actor,
  computeAttendance,
  defaultAttendancePolicy,
  type EventData,
  segmentFact,
  usccCheckCharacter,
} from '@trec/contracts'
import { registerReader, tapSession } from './card-taps.ts'
import {
  at,
  type ClassModel,
  dateOf,
  dayMs,
  fingerprintOf,
  hourMs,
  type InstitutionModel,
  iso,
  type Member,
  minuteMs,
  type Pending,
  type ProvinceModel,
  type SessionModel,
  templateOf,
} from './model.ts'
import { type City, hebeiCities, occupations } from './places.ts'
import type { Random } from './random.ts'

// The honest province: what a year of subsidised training looks like in the record when nobody
// cheats. The distributions are plausible, not measured (the seeds give no class sizes or
// schedules: docs/domain.md §8.1): classes of 18–40, 8–14 sessions of three hours on weekdays, a queue at
// the face-check terminal of one person every 6–18 s, one first attempt in thirty failing, most
// trainees attending nineteen sessions in twenty and a few about half, pass marks of 60 with
// scores around 74 ± 9. Claims follow certificates; payments follow approvals.

export interface CleanOptions {
  institutions: number
  millInstitutions: number
  classesPerInstitution: [number, number]
  classSize: [number, number]
  sessionsPerClass: [number, number]
  blendedShare: number
  year: number
  minimumAttendanceShare: number
  /** R11's minimum results: a mill gets enough candidates in one exam to be judged. */
  millCandidates: number
  /** Some online fraud is to be injected, so at least one class must have online sessions. */
  needsOnline: boolean
}

const cardChars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const ruleSet = { id: 'sjz-2019', version: 1 }
const platform = 'plat-hebei-1'

function sealed(model: ProvinceModel, worker: string) {
  return {
    sealed: 'A256GCM',
    kid: `wk-${worker.slice(0, 8)}-1`,
    iv: model.rng.base64url(12),
    ct: model.rng.base64url(24),
  }
}

/** A 统一社会信用代码 of a 民办非企业单位 (52) registered in `region`, with its check character. */
export function usccOf(rng: Random, region: string): string {
  let body = `52${region}`
  while (body.length < 17) body += cardChars[rng.int(0, cardChars.length - 1)]
  return body + usccCheckCharacter(body)
}

function addInstitutions(model: ProvinceModel, o: CleanOptions): void {
  const cities = hebeiCities
  for (let i = 0; i < o.institutions + o.millInstitutions; i++) {
    const city: City = model.rng.pick(cities)
    const mill = i >= o.institutions
    const id = `inst-${city.code}-${String(i + 1).padStart(4, '0')}`
    const inst: InstitutionModel = {
      id,
      city,
      region: city.district,
      staff: { kind: 'admin', id: `hrss-${city.code}` },
      mill,
    }
    model.institutions.push(inst)
    model.add(
      'InstitutionDesignated',
      {
        institution: id,
        legalName: `${city.name}市${mill ? '速成' : '新航'}职业培训学校${i + 1}`,
        uscc: usccOf(model.rng, city.district),
        region: city.district,
        kinds: ['private_provider'],
        effectiveFrom: `${o.year - 1}-12-01`,
      },
      at(`${o.year - 1}-12-01`, '09:00:00'),
      inst.staff,
      city.district,
    )
  }
}

function weekdaysFrom(start: number, count: number): number[] {
  const days: number[] = []
  let d = start
  while (days.length < count) {
    const weekday = new Date(dateOf(d)).getUTCDay()
    if (weekday !== 0 && weekday !== 6) days.push(d)
    d += dayMs
  }
  return days
}

function programmeFor(
  model: ProvinceModel,
  o: CleanOptions,
  city: City,
  occupation: (typeof occupations)[number],
  level: number,
) {
  const key = `${city.code}\n${occupation.code}\n${level}`
  const known = model.programmes.get(key)
  if (known) return known
  const id = `prog-${city.code}-${occupation.code}-${level}`
  // Within D2's ceiling (¥2,200 a person), which the gate and compliance judge claims by.
  const amount = (5 - level) * 30_000 + 150_000
  model.add(
    'ProgrammePublished',
    {
      programme: id,
      region: city.code,
      occupationCode: occupation.code,
      occupationTitle: occupation.title,
      level,
      subsidyKind: 'training',
      amount,
      shortage: false,
      effectiveFrom: `${o.year}-01-01`,
    },
    at(`${o.year - 1}-12-15`, '09:00:00'),
    { kind: 'admin', id: `hrss-${city.code}` },
    city.code,
  )
  const made = { id, amount }
  model.programmes.set(key, made)
  return made
}

function addClass(
  model: ProvinceModel,
  o: CleanOptions,
  inst: InstitutionModel,
  n: number,
  millStart?: number,
): ClassModel {
  const rng = model.rng
  const occupation = rng.pick(occupations)
  const level = rng.pick(occupation.levels)
  const id = `cls-${inst.id.slice(5)}-${String(n).padStart(2, '0')}`
  const firstDay = millStart ?? at(`${o.year}-03-01`, '00:00:00') + rng.int(0, 170) * dayMs
  const count = rng.int(o.sessionsPerClass[0], o.sessionsPerClass[1])
  const morning = rng.chance(0.6)
  const drawn = rng.chance(o.blendedShare)
  // Online fraud needs an online class: the first class is blended then, whatever the draw.
  const blended = !inst.mill && (drawn || (o.needsOnline && !model.classes.some((c) => c.mode === 'blended')))
  const sessions: SessionModel[] = weekdaysFrom(firstDay, count).map((day, i) => {
    const start = at(dateOf(day), morning ? '09:00:00' : '14:00:00')
    return {
      session: `${id}-s${String(i + 1).padStart(2, '0')}`,
      start,
      end: start + 3 * hourMs,
      mode: blended && i % 3 === 2 ? 'online' : 'offline',
    }
  })
  const programme = programmeFor(model, o, inst.city, occupation, level)
  const evaluatorNo = rng.int(1, 2)
  const cls: ClassModel = {
    id,
    institution: inst,
    occupation,
    level,
    programme: programme.id,
    amount: programme.amount,
    sessions,
    device: `dev-${id}`,
    start: sessions[0]!.start,
    end: sessions[sessions.length - 1]!.end,
    mode: blended ? 'blended' : 'offline',
    place: { lat: inst.city.lat + rng.between(-0.03, 0.03), lon: inst.city.lon + rng.between(-0.03, 0.03) },
    evaluator: inst.mill
      ? { kind: 'social_evaluation_org', id: `eval-mill-${inst.id.slice(-4)}` }
      : evaluatorNo === 1
        ? { kind: 'social_evaluation_org', id: `eval-${inst.city.code}-1` }
        : { kind: 'college_station', id: `eval-${inst.city.code}-2` },
    correlationId: model.nextId(),
    members: [],
    mill: inst.mill,
  }
  model.classes.push(cls)
  const region = inst.region
  const staff: Actor = { kind: 'institution_staff', id: `staff-${inst.id.slice(5)}`, institution: inst.id }
  const sessionData = sessions.map((s) => ({
    session: s.session,
    start: iso(s.start),
    end: iso(s.end),
    // A room of its own: one room holds one class at a time (R5).
    venue: s.mode === 'online' ? platform : `${inst.id} 实训教室${String(n).padStart(2, '0')}`,
    mode: s.mode,
  }))
  // A teacher of the institution's own for each of its classes, which may run at the same time (R5).
  const teachers = [{ teacher: `tch-${inst.id.slice(5)}-${n}${rng.int(1, 9)}`, role: 'both' as const }]
  const c = cls.correlationId
  model.add(
    'ClassOpeningApplied',
    {
      class: id,
      institution: inst.id,
      programme: programme.id,
      region,
      mode: cls.mode,
      route: 'designated_institution',
      plannedStart: dateOf(cls.start),
      plannedEnd: dateOf(cls.end),
      plannedHours: sessions.length * 3,
      capacity: 50,
      sessions: sessionData,
      teachers,
    },
    cls.start - 20 * dayMs,
    staff,
    region,
    c,
  )
  model.add(
    'PreTrainingReviewDecided',
    {
      class: id,
      outcome: 'passed',
      reviewer: { kind: 'authority', id: `hrss-${inst.city.code}` },
      reasons: [],
    },
    cls.start - 10 * dayMs,
    { kind: 'reviewer', id: `rev-${inst.city.code}` },
    region,
    c,
  )
  model.add(
    'ClassOpened',
    { class: id, institution: inst.id, sessions: sessionData, teachers, roster: [] },
    cls.start - 3 * dayMs,
    staff,
    region,
    c,
  )
  model.add(
    'DeviceRegistered',
    {
      device: cls.device,
      class: id,
      institution: inst.id,
      algorithm: 'EdDSA',
      publicKey: { kty: 'OKP', crv: 'Ed25519', x: rng.base64url(32) },
      keyThumbprint: rng.base64url(32),
    },
    cls.start - 2 * dayMs,
    staff,
    region,
  )
  if (model.cardTaps && sessions.some((s) => s.mode === 'offline'))
    registerReader(model, cls, staff, cls.start - 2 * dayMs)
  model.add('ClassClosed', { class: id, reason: 'completed' }, cls.end + 20 * hourMs, staff, region, c)
  return cls
}

function enrol(model: ProvinceModel, cls: ClassModel, worker: string, repeat: boolean): Member {
  const rng = model.rng
  const inst = cls.institution
  const when = cls.start - rng.int(1, 10) * dayMs - rng.int(0, 8 * 60) * minuteMs
  const staff: Actor = { kind: 'institution_staff', id: `staff-${inst.id.slice(5)}`, institution: inst.id }
  const member: Member = {
    worker,
    cls,
    repeat,
    // A mill's record is perfect: everyone attends everything.
    attendance: cls.mill ? 1 : rng.chance(0.92) ? rng.between(0.92, 0.99) : rng.between(0.4, 0.7),
    enrolment: [],
    checks: [],
    segments: [],
    taps: [],
    passedCompletion: false,
  }
  member.enrolment.push(
    model.add(
      'IdentityVerified',
      {
        worker,
        class: cls.id,
        method: 'card_chip',
        // The platform's reference names one check of one person (R9 finds one used for two).
        platformRef: `ssc-${rng.hex(8)}-${worker.slice(0, 8)}`,
        result: 'verified',
        verifiedBy: { kind: 'device', id: `reader-${inst.id.slice(5)}` },
      },
      when,
      staff,
      inst.region,
      cls.correlationId,
    ),
    model.add(
      'WorkerEnrolled',
      {
        worker,
        class: cls.id,
        institution: inst.id,
        name: sealed(model, worker),
        idNumber: sealed(model, worker),
        phone: sealed(model, worker),
      },
      when,
      staff,
      inst.region,
      cls.correlationId,
    ),
    model.add('RosterEntryAdded', { class: cls.id, worker }, when, staff, inst.region, cls.correlationId),
  )
  cls.members.push(member)
  model.members.push(member)
  return member
}

function faceCheck(
  model: ProvinceModel,
  member: Member,
  session: SessionModel,
  when: number,
  purpose: 'sign_in' | 'sign_out' | 'spot',
  pass: boolean,
): Pending {
  const rng = model.rng
  const cls = member.cls
  const p = model.add(
    'FaceCheckRecorded',
    {
      worker: member.worker,
      class: cls.id,
      session: session.session,
      device: cls.device,
      checkedAt: iso(when),
      purpose,
      result: pass ? 'pass' : 'fail',
      matchScore: Math.round((pass ? rng.between(0.82, 0.99) : rng.between(0.35, 0.7)) * 1000) / 1000,
      liveness: {
        method: rng.chance(0.7) ? 'silent' : 'action',
        score: Math.round(rng.between(0.86, 0.995) * 1000) / 1000,
        passed: true,
      },
      place: {
        lat: Math.round((cls.place.lat + rng.between(-0.0003, 0.0003)) * 1e6) / 1e6,
        lon: Math.round((cls.place.lon + rng.between(-0.0003, 0.0003)) * 1e6) / 1e6,
      },
      templateHash: templateOf(model, member.worker),
    },
    when,
    { kind: 'device', id: cls.device, institution: cls.institution.id },
    cls.institution.region,
  )
  member.checks.push(p)
  return p
}

/** A queue at the terminal: one person every 6–18 s, a failed first attempt retried in 6–12 s. */
function queue(
  model: ProvinceModel,
  session: SessionModel,
  people: Member[],
  from: number,
  purpose: 'sign_in' | 'sign_out',
) {
  let t = from
  for (const m of model.rng.sample(people, people.length)) {
    t += model.rng.int(6_000, 18_000)
    if (model.rng.chance(1 / 30)) {
      faceCheck(model, m, session, t, purpose, false)
      t += model.rng.int(6_000, 12_000)
    }
    faceCheck(model, m, session, t, purpose, true)
  }
}

/** Passing spot checks from `start` to `end`, at most 25 minutes apart, both ends included. */
function spotChecks(
  model: ProvinceModel,
  m: Member,
  session: SessionModel,
  start: number,
  end: number,
): void {
  for (let t = start; ; t += 25 * minuteMs) {
    faceCheck(model, m, session, Math.min(t, end), 'spot', true)
    if (t >= end) return
  }
}

function onlineSession(model: ProvinceModel, session: SessionModel, m: Member, index: number): void {
  const rng = model.rng
  let start = session.start
  for (let part = 1; part <= 2; part++) {
    const end = start + rng.int(80, 88) * minuteMs
    const signed = model.signedOnline
      ? { playbackRate: 1, progress: part / 2, interactions: rng.int(2, 12), signedBy: m.cls.device }
      : { playbackRate: rng.pick([1, 1, 1, 1.25]) }
    if (model.signedOnline) spotChecks(model, m, session, start, end)
    m.segments.push(
      model.add(
        'OnlineLearningSegmentRecorded',
        {
          worker: m.worker,
          class: m.cls.id,
          platform,
          lesson: `lsn-${m.cls.id}-${index}-${part}`,
          start: iso(start),
          end: iso(end),
          ...signed,
          clientFingerprint: fingerprintOf(model, m.worker),
        },
        end,
        { kind: 'system', id: platform },
        m.cls.institution.region,
      ),
    )
    start = end + rng.int(2, 6) * minuteMs
  }
}

function attend(model: ProvinceModel, cls: ClassModel): void {
  cls.sessions.forEach((s, index) => {
    const present = cls.members.filter((m) => model.rng.chance(m.attendance))
    if (s.mode === 'online') {
      for (const m of present) onlineSession(model, s, m, index)
      return
    }
    if (model.cardTaps) tapSession(model, s, present)
    queue(model, s, present, s.start - 15 * minuteMs, 'sign_in')
    queue(
      model,
      s,
      present.filter(() => model.rng.chance(0.85)),
      s.end,
      'sign_out',
    )
  })
}

/** Sessions a member attended as the record shows it: a passing check, or online time. */
export function attendedSessions(m: Member): { offline: Set<string>; online: Set<string> } {
  const offline = new Set(
    m.checks
      .filter((c) => !c.removed && c.data.result === 'pass' && c.data.class === m.cls.id)
      .map((c) => String(c.data.session)),
  )
  const online = new Set<string>()
  for (const s of m.cls.sessions)
    if (
      s.mode === 'online' &&
      m.segments.some(
        (g) =>
          !g.removed &&
          Date.parse(String(g.data.start)) >= s.start &&
          Date.parse(String(g.data.start)) < s.end,
      )
    )
      online.add(s.session)
  return { offline, online }
}

function evidenceOfAttendance(m: Member): string[] {
  const firstPerSession = new Map<string, string>()
  for (const c of m.checks)
    if (
      !c.removed &&
      c.data.result === 'pass' &&
      c.data.class === m.cls.id &&
      !firstPerSession.has(String(c.data.session))
    )
      firstPerSession.set(String(c.data.session), c.id)
  return [...firstPerSession.values(), ...m.segments.filter((g) => !g.removed).map((g) => g.id)]
}

/**
 * The one reading of a member's hours, as the assessment service computes a completion (and the
 * gate, compliance and R7 read it): in person by passing checks within their sessions, online by
 * the learning records played at normal speed, over the record as it stands now.
 */
export function hoursOf(m: Member) {
  const cls = m.cls
  return computeAttendance(
    cls.sessions.map((s) => ({ session: s.session, start: iso(s.start), end: iso(s.end), mode: s.mode })),
    m.checks
      .filter((c) => !c.removed && c.data.class === cls.id)
      .map((c) => ({
        id: c.id,
        session: String(c.data.session),
        checkedAt: String(c.data.checkedAt),
        result: c.data.result as 'pass' | 'fail',
        livenessPassed: (c.data.liveness as { passed: boolean }).passed,
      })),
    m.segments
      .filter((g) => !g.removed)
      .map((g) => segmentFact(g.id, g.data as unknown as EventData<'OnlineLearningSegmentRecorded'>)),
    defaultAttendancePolicy,
    m.taps
      .filter((t) => !t.removed && t.data.class === cls.id)
      .map((t) => ({
        id: t.id,
        session: String(t.data.session),
        tappedAt: String(t.data.tappedAt),
        purpose: t.data.purpose as 'sign_in' | 'sign_out',
      })),
  )
}

function complete(model: ProvinceModel, o: CleanOptions, m: Member): void {
  const cls = m.cls
  const hours = hoursOf(m)
  const { attendedHours, requiredHours } = hours
  const share = hours.attendanceShare
  // Passed as the assessment service decides it: the share of the one reading, nothing else.
  m.passedCompletion = share >= o.minimumAttendanceShare
  const completion = model.add(
    'TrainingCompleted',
    {
      worker: m.worker,
      class: cls.id,
      attendedHours,
      requiredHours,
      attendanceShare: share,
      minimumAttendanceShare: o.minimumAttendanceShare,
      passed: m.passedCompletion,
      evidence: [],
    },
    cls.end + 22 * hourMs + model.rng.int(0, 3600) * 1000,
    { kind: 'assessor', id: `asr-${cls.institution.city.code}` },
    cls.institution.region,
    cls.correlationId,
  )
  completion.finalize = () => {
    completion.data.evidence = evidenceOfAttendance(m)
  }
  m.completion = completion
}

function assess(model: ProvinceModel, m: Member, millDay?: string): void {
  const rng = model.rng
  const cls = m.cls
  const assessedOn = millDay ?? dateOf(cls.end + rng.int(3, 10) * dayMs)
  const score = cls.mill
    ? 88 + rng.int(0, 4)
    : Math.round(Math.min(100, Math.max(30, rng.normal(74, 9))) * 10) / 10
  const passed = cls.mill || score >= 60
  const region = cls.institution.region
  m.result = model.add(
    'AssessmentResultRecorded',
    {
      worker: m.worker,
      assessment: `asm-${cls.id}-${m.worker.slice(0, 8)}`,
      class: cls.id,
      occupationCode: cls.occupation.code,
      level: cls.level,
      score,
      passed,
      evaluator: cls.evaluator,
      assessedOn,
    },
    at(assessedOn, '16:00:00') + rng.int(0, 3600) * 1000,
    { kind: 'assessor', id: cls.evaluator.id },
    region,
  )
  if (!passed) return
  const issuedOn = dateOf(at(assessedOn, '12:00:00') + 7 * dayMs)
  certify(model, m, issuedOn, cls.level, `asm-${cls.id}-${m.worker.slice(0, 8)}`)
}

/** A certificate and its serial, issued at 09:00 on `issuedOn`. */
export function certify(
  model: ProvinceModel,
  m: Member,
  issuedOn: string,
  level: number,
  assessment?: string,
): Pending {
  const cls = m.cls
  const certificate = `cert-${m.worker.slice(0, 12)}-${model.rng.hex(3)}`
  const serial = `HB${issuedOn.slice(0, 4)}${model.rng.int(100000, 999999)}`
  const when = at(issuedOn, '09:00:00') + model.rng.int(0, 3600) * 1000
  const actor: Actor = { kind: 'assessor', id: cls.evaluator.id }
  const issued = model.add(
    'CertificateIssued',
    {
      worker: m.worker,
      certificate,
      kind: 'skill_level',
      issuer: cls.evaluator,
      serial,
      occupationCode: cls.occupation.code,
      level,
      issuedOn,
      ...(assessment ? { assessment } : {}),
    },
    when,
    actor,
    cls.institution.region,
  )
  model.add(
    'CertificateSerialRegistered',
    {
      issuerSerial: `${cls.evaluator.id}:${serial}`,
      issuer: cls.evaluator,
      serial,
      worker: m.worker,
      certificate,
      kind: 'skill_level',
    },
    when,
    actor,
    cls.institution.region,
  )
  if (assessment) m.certificate = { event: issued, id: certificate, issuedOn }
  return issued
}

export interface ClaimSpec {
  kind: 'training' | 'skill_upgrade'
  claimedOn: string
  occupationCode: string
  level: number
  certificate?: string
  payee: { kind: 'provider' | 'worker'; id: string }
  region: string
  cls?: ClassModel
  amount: number
  /** Review, approve and pay it. */
  pay: boolean
}

/** A claim and, when `pay`, its review, approval and payment naming the record's evidence. */
export function claim(model: ProvinceModel, m: Member, spec: ClaimSpec) {
  const rng = model.rng
  const id = model.nextClaimId(m.worker)
  const claimedAt = at(spec.claimedOn, '10:00:00') + rng.int(0, 3600) * 1000
  const officer: Actor = { kind: 'subsidy_officer', id: `sbo-${spec.region.slice(0, 4)}` }
  const correlationId = model.nextId()
  const submitted = model.add(
    'SubsidyClaimSubmitted',
    {
      claim: id,
      worker: m.worker,
      region: spec.region,
      kind: spec.kind,
      payee: spec.payee,
      amount: spec.amount,
      ...(spec.cls ? { class: spec.cls.id } : {}),
      ...(spec.certificate ? { certificate: spec.certificate } : {}),
      claimedOn: spec.claimedOn,
      ruleSet,
      occupationCode: spec.occupationCode,
      level: spec.level,
    },
    claimedAt,
    spec.payee.kind === 'provider'
      ? { kind: 'institution_staff', id: `staff-${spec.payee.id.slice(5)}`, institution: spec.payee.id }
      : officer,
    spec.region,
    correlationId,
  )
  const evidence = () => [
    ...m.enrolment.slice(0, 2).map((e) => e.id),
    ...evidenceOfAttendance(m).slice(0, 60),
    ...(m.completion ? [m.completion.id] : []),
    ...(m.certificate ? [m.certificate.event.id] : []),
  ]
  const made: NonNullable<Member['claim']> = {
    submitted,
    id,
    claimedOn: spec.claimedOn,
    kind: spec.kind,
    evidence,
  }
  if (spec.pay) {
    model.add(
      'SubsidyClaimReviewed',
      {
        claim: id,
        worker: m.worker,
        reviewer: { kind: 'authority', id: `hrss-${spec.region.slice(0, 4)}00` },
        outcome: 'approved',
        approvedAmount: spec.amount,
        reasons: [],
        ruleSet,
      },
      claimedAt + 2 * dayMs,
      { kind: 'reviewer', id: `rev-${spec.region.slice(0, 4)}` },
      spec.region,
      correlationId,
    )
    model.add(
      'SubsidyClaimDecided',
      { claim: id, worker: m.worker, outcome: 'approved', approvedAmount: spec.amount, reasons: [], ruleSet },
      claimedAt + 3 * dayMs,
      officer,
      spec.region,
      correlationId,
    )
    const paid = model.add(
      'SubsidyPaid',
      {
        claim: id,
        worker: m.worker,
        amount: spec.amount,
        payee: spec.payee,
        ...(spec.payee.kind === 'worker'
          ? {
              account: {
                kind: 'ssc_card',
                bankAccount: sealed(model, m.worker),
                pseudonym: model.digest(`account\n${m.worker}`).slice(0, 32),
              },
            }
          : {}),
        evidence: [],
        ruleSet,
        fundSource: 'employment_subsidy_fund',
        paymentRef: `pay-${rng.hex(8)}`,
      },
      claimedAt + 8 * dayMs,
      { kind: 'finance', id: `fin-${spec.region.slice(0, 4)}` },
      spec.region,
      correlationId,
    )
    paid.finalize = () => {
      paid.data.evidence = [...new Set(evidence())]
    }
    made.paid = paid
  }
  return made
}

function claimFor(model: ProvinceModel, m: Member): void {
  const rng = model.rng
  if (!m.certificate || !rng.chance(0.9)) return
  const cls = m.cls
  const claimedOn = dateOf(at(m.certificate.issuedOn, '12:00:00') + rng.int(3, 20) * dayMs)
  const upgrade = !cls.mill && rng.chance(0.2)
  if (upgrade)
    model.add(
      'ContributionHistoryAttested',
      {
        worker: m.worker,
        months: rng.int(12, 180),
        asOf: m.certificate.issuedOn,
        enterpriseEmployee: true,
        source: { system: 'hebei-jinbao', ref: `UI-${rng.hex(6)}` },
      },
      at(m.certificate.issuedOn, '15:00:00'),
      { kind: 'subsidy_officer', id: `sbo-${cls.institution.region.slice(0, 4)}` },
      cls.institution.region,
    )
  m.claim = claim(model, m, {
    kind: upgrade ? 'skill_upgrade' : 'training',
    claimedOn,
    occupationCode: cls.occupation.code,
    level: cls.level,
    certificate: m.certificate.id,
    payee: upgrade ? { kind: 'worker', id: m.worker } : { kind: 'provider', id: cls.institution.id },
    region: cls.institution.region,
    cls,
    amount: upgrade ? 150_000 : cls.amount,
    pay: true,
  })
}

function accessReads(model: ProvinceModel, o: CleanOptions): void {
  const rng = model.rng
  for (const m of model.members) {
    if (!m.claim || !rng.chance(0.03)) continue
    model.add(
      'RecordAccessed',
      {
        worker: m.worker,
        view: 'archive',
        purpose: 'card_holder_request',
        client: 'ssc-national-platform',
        requestId: `req-${rng.hex(6)}`,
        found: true,
        flags: [],
      },
      m.claim.submitted.at + rng.int(10, 40) * dayMs,
      { kind: 'card_service', id: 'ssc-national' },
      m.cls.institution.region,
    )
  }
  // One ordinary investigation: a case opened on a tip-off, and reads under it.
  const read = model.members.filter((m) => m.claim).slice(0, 3)
  if (read.length === 0) return
  const investigator: Actor = { kind: 'investigator', id: 'inv-0001' }
  const caseId = `case-${o.year}-0001`
  const opened = Math.max(...read.map((m) => m.claim!.submitted.at)) + 30 * dayMs
  model.add(
    'CaseOpened',
    {
      case: caseId,
      title: '群众举报：培训班出勤存疑',
      region: read[0]!.cls.institution.region,
      basis: 'tip_off',
      subjects: [{ kind: 'institution', id: read[0]!.cls.institution.id }],
      alerts: [],
    },
    opened,
    investigator,
    read[0]!.cls.institution.region,
  )
  read.forEach((m, i) => {
    model.add(
      'RecordAccessed',
      {
        worker: m.worker,
        view: 'archive',
        purpose: 'fraud_case',
        caseRef: caseId,
        client: 'oversight-console',
        requestId: `req-${rng.hex(6)}`,
        found: true,
        flags: [],
      },
      opened + (i + 1) * hourMs,
      investigator,
      m.cls.institution.region,
    )
  })
}

/** Builds the honest province into `model`. */
export function buildCleanProvince(model: ProvinceModel, o: CleanOptions): void {
  const rng = model.rng
  addInstitutions(model, o)
  let worker = 0
  const newWorker = () => model.digest(`worker\n${worker++}`).slice(0, 32)
  for (const inst of model.institutions) {
    if (inst.mill) {
      // A certificate mill runs short classes back to back and examines them all on one day.
      const first = at(`${o.year}-04-01`, '00:00:00') + rng.int(0, 30) * dayMs
      const a = addClass(model, o, inst, 1, first)
      const b = addClass(model, o, inst, 2, a.end + 3 * dayMs)
      const size = Math.ceil(o.millCandidates / 2) + 2
      for (const cls of [a, b]) for (let i = 0; i < size; i++) enrol(model, cls, newWorker(), false)
      continue
    }
    const classes = rng.int(o.classesPerInstitution[0], o.classesPerInstitution[1])
    for (let n = 1; n <= classes; n++) {
      const cls = addClass(model, o, inst, n)
      const size = rng.int(o.classSize[0], o.classSize[1])
      for (let i = 0; i < size; i++) enrol(model, cls, newWorker(), false)
    }
  }
  // Some workers come back for the next level of their occupation in a later class.
  const byStart = [...model.classes].filter((c) => !c.mill).sort((a, b) => a.start - b.start)
  for (const m of [...model.members]) {
    if (m.cls.mill || !rng.chance(0.08)) continue
    const next = byStart.find(
      (c) =>
        c.occupation.code === m.cls.occupation.code &&
        c.level < m.cls.level &&
        // Late enough that the first claim is made before the next class starts (no R3 by accident).
        c.start > m.cls.end + 60 * dayMs &&
        c.members.length < 50,
    )
    if (next) enrol(model, next, m.worker, true)
  }
  for (const cls of model.classes) attend(model, cls)
  for (const m of model.members) complete(model, o, m)
  for (const inst of model.institutions.filter((i) => i.mill)) {
    const classes = model.classes.filter((c) => c.institution === inst)
    const examDay = dateOf(Math.max(...classes.map((c) => c.end)) + 5 * dayMs)
    for (const cls of classes) for (const m of cls.members) if (m.passedCompletion) assess(model, m, examDay)
  }
  for (const m of model.members) if (!m.cls.mill && m.passedCompletion) assess(model, m)
  for (const m of model.members) claimFor(model, m)
  accessReads(model, o)
}
