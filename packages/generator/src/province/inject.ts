import type { AlertSubject, RuleBook } from '@trec/oversight'
import { distanceKm } from '@trec/oversight'
import { attendedSessions, certify, claim, hoursOf } from './build-clean.ts'
import { bookingPatterns, injectBookings } from './inject-bookings.ts'
import { identityPatterns, injectIdentities } from './inject-identities.ts'
import { injectRings, ringPatterns } from './inject-rings.ts'
import {
  at,
  type ClassModel,
  dateOf,
  dayMs,
  fingerprintOf,
  firstInFeed,
  iso,
  type Member,
  minuteMs,
  type Pending,
  type ProvinceModel,
  templateOf,
} from './model.ts'
import { casesFor, Picker } from './picker.ts'
import { occupations } from './places.ts'

// Fraud injected into the honest province, each pattern as docs/fraud-rules.md describes it
// (docs/fraud-rules.md), each case recorded in the manifest with the events that carry it.
// A worker, class or device is used by one injected case at most, so that each case is what its
// rule should find and nothing else.

export const fraudPatterns = [
  'R1-duplicate-claim',
  'R2-yearly-cap',
  'R3-lower-level',
  'R4-impossible-travel',
  'R6-shared-template',
  'R6-device-burst',
  'R7-completion-without-attendance',
  'R8-claim-without-certificate',
  'R10-fast-playback',
  'R10-overlapping-segments',
  'R10-shared-fingerprint',
  'R11-certificate-mill',
  'R13-read-without-case',
  ...bookingPatterns,
  ...identityPatterns,
  ...ringPatterns,
] as const
export type FraudPattern = (typeof fraudPatterns)[number]

export interface InjectedCase {
  rule: string
  pattern: FraudPattern
  subject: AlertSubject
  /** Events that carry the fraud: the alert that finds it must name each as evidence. */
  events: string[]
  /** When the alert is due at the latest (the class's end, or the claim it should precede). */
  dueBy?: string
  note: string
}

const passing = (m: Member) =>
  m.checks.filter((c) => !c.removed && c.data.result === 'pass' && c.data.class === m.cls.id)

function dueAtEnd(cls: ClassModel): string {
  return iso(cls.end)
}

export function injectFraud(
  model: ProvinceModel,
  rates: Partial<Record<FraudPattern, number>>,
  rules: RuleBook,
  year: number,
): InjectedCase[] {
  const rng = model.rng
  const pick = new Picker(model)
  const cases: InjectedCase[] = []
  const paidTraining = (m: Member) =>
    m.claim?.kind === 'training' && m.claim.paid !== undefined && !m.cls.mill

  // R11 is built in with the mill institutions (build-clean); here it is only recorded.
  for (const inst of model.institutions.filter((i) => i.mill)) {
    const classes = model.classes.filter((c) => c.institution === inst)
    for (const c of classes) {
      pick.usedClasses.add(c.id)
      for (const m of c.members) pick.used.add(m.worker)
    }
    const results = classes.flatMap((c) => c.members.flatMap((m) => (m.result ? [m.result] : [])))
    const first = firstInFeed(results)
    const evaluator = classes[0]!.evaluator.id
    for (const subject of [
      { kind: 'evaluator' as const, id: evaluator },
      { kind: 'institution' as const, id: inst.id },
    ])
      cases.push({
        rule: 'R11',
        pattern: 'R11-certificate-mill',
        subject,
        events: first ? [first.id] : [],
        note: `${results.length} candidates of ${inst.id}, all passed by ${evaluator} with scores 88–92 on one exam day`,
      })
  }

  // R1: the same qualification claimed again through another institution a month later.
  {
    const eligible = pick.fresh(paidTraining)
    for (const m of pick.take(eligible, casesFor(rates['R1-duplicate-claim'], eligible.length))) {
      const other = rng.pick(model.institutions.filter((i) => i !== m.cls.institution && !i.mill))
      const original = m.claim!
      const dup = claim(model, m, {
        kind: 'training',
        claimedOn: dateOf(at(original.claimedOn, '12:00:00') + 30 * dayMs),
        occupationCode: m.cls.occupation.code,
        level: m.cls.level,
        ...(m.certificate ? { certificate: m.certificate.id } : {}),
        payee: { kind: 'provider', id: other.id },
        region: other.region,
        amount: m.cls.amount,
        pay: true,
      })
      cases.push({
        rule: 'R1',
        pattern: 'R1-duplicate-claim',
        subject: { kind: 'claim', id: dup.id },
        events: [original.submitted.id, dup.submitted.id],
        note: `${m.worker} claimed ${m.cls.occupation.code} level ${m.cls.level} again through ${other.id}`,
      })
    }
  }

  // R2: three more claims in the same year for other occupations, one past the cap.
  {
    const cap = rules.R2.params.max
    const eligible = pick.fresh(paidTraining)
    for (const m of pick.take(eligible, casesFor(rates['R2-yearly-cap'], eligible.length))) {
      const original = m.claim!
      const others = rng.sample(
        occupations.filter((o) => o.code !== m.cls.occupation.code),
        cap,
      )
      const added = others.map((o, i) =>
        claim(model, m, {
          kind: 'training',
          claimedOn: dateOf(at(original.claimedOn, '12:00:00') + (i + 1) * 10 * dayMs),
          occupationCode: o.code,
          level: 5,
          payee: { kind: 'provider', id: m.cls.institution.id },
          region: m.cls.institution.region,
          amount: 150_000,
          pay: false,
        }),
      )
      cases.push({
        rule: 'R2',
        pattern: 'R2-yearly-cap',
        subject: { kind: 'claim', id: added[added.length - 1]!.id },
        events: [original.submitted.id, ...added.map((c) => c.submitted.id)],
        note: `${m.worker} has ${cap + 1} claims in ${original.claimedOn.slice(0, 4)}`,
      })
    }
  }

  // R3: the worker already held a higher certificate of the occupation, a year before.
  {
    const eligible = pick.fresh((m) => paidTraining(m) && m.cls.level >= 2)
    for (const m of pick.take(eligible, casesFor(rates['R3-lower-level'], eligible.length))) {
      const year = Number(m.claim!.claimedOn.slice(0, 4)) - 1
      const held = certify(model, m, `${year}-06-15`, m.cls.level - 1)
      cases.push({
        rule: 'R3',
        pattern: 'R3-lower-level',
        subject: { kind: 'claim', id: m.claim!.id },
        events: [held.id, m.claim!.submitted.id],
        note: `${m.worker} held level ${m.cls.level - 1} of ${m.cls.occupation.code} and claimed level ${m.cls.level}`,
      })
    }
  }

  // R4: a passing check in a class of a far city twenty minutes after the worker's own sign-in.
  {
    const eligible = pick.fresh((m) => passing(m).length > 0)
    for (const m of pick.take(eligible, casesFor(rates['R4-impossible-travel'], eligible.length))) {
      const own = firstInFeed(passing(m))!
      const far = [...model.classes]
        .filter((c) => c !== m.cls)
        .sort((a, b) => distanceKm(b.place, m.cls.place) - distanceKm(a.place, m.cls.place))[0]!
      const place =
        distanceKm(far.place, m.cls.place) >= 100
          ? far.place
          : { lat: m.cls.place.lat + 1.5, lon: m.cls.place.lon + 1.5 }
      const when = own.at + 20 * minuteMs
      const proxy = model.add(
        'FaceCheckRecorded',
        {
          ...own.data,
          class: far.id,
          session: far.sessions[0]!.session,
          device: far.device,
          checkedAt: iso(when),
          purpose: 'spot',
          place: { lat: Math.round(place.lat * 1e6) / 1e6, lon: Math.round(place.lon * 1e6) / 1e6 },
        },
        when,
        { kind: 'device', id: far.device, institution: far.institution.id },
        far.institution.region,
      )
      m.checks.push(proxy)
      cases.push({
        rule: 'R4',
        pattern: 'R4-impossible-travel',
        subject: { kind: 'worker', id: m.worker },
        events: [own.id, proxy.id],
        dueBy: dueAtEnd(m.cls),
        note: `${m.worker} checked in at ${m.cls.id} and, 20 minutes later, at ${far.id} ${distanceKm(place, m.cls.place).toFixed(0)} km away`,
      })
    }
  }

  // R6: one worker's face checks in for a classmate.
  {
    const classes = model.classes.filter(
      (c) =>
        !pick.usedClasses.has(c.id) && pick.fresh((m) => m.cls === c && passing(m).length >= 2).length >= 2,
    )
    for (const c of rng.sample(classes, casesFor(rates['R6-shared-template'], classes.length))) {
      pick.usedClasses.add(c.id)
      const [x, y] = pick.take(
        pick.fresh((m) => m.cls === c && passing(m).length >= 2),
        2,
      ) as [Member, Member]
      // A sign-in in the middle of the course: found while the class still runs.
      const signIns = passing(y)
        .filter((p) => p.data.purpose === 'sign_in')
        .sort((a, b) => a.at - b.at || a.seq - b.seq)
      const target = signIns[Math.floor(signIns.length / 2)] ?? passing(y)[0]!
      target.data.templateHash = templateOf(model, x.worker)
      cases.push({
        rule: 'R6',
        pattern: 'R6-shared-template',
        subject: { kind: 'template', id: templateOf(model, x.worker) },
        events: [target.id],
        dueBy: dueAtEnd(c),
        note: `${x.worker}'s face passed for ${y.worker} in ${c.id}`,
      })
    }
  }

  // R6: a terminal run through photos, more workers in 30 s than a queue allows.
  {
    const burst = rules.R6.params.burst.workers + 1
    const classes = model.classes.filter(
      (c) =>
        !pick.usedClasses.has(c.id) &&
        pick.fresh((m) => m.cls === c).length >= burst &&
        c.sessions.some((s) => s.mode === 'offline'),
    )
    for (const c of rng.sample(classes, casesFor(rates['R6-device-burst'], classes.length))) {
      pick.usedClasses.add(c.id)
      pick.usedDevices.add(c.device)
      const session = rng.pick(c.sessions.filter((s) => s.mode === 'offline'))
      const start = session.start + 60 * minuteMs
      const spacing = Math.floor((rules.R6.params.burst.seconds * 1000) / (burst + 1))
      const checks: Pending[] = pick
        .take(
          pick.fresh((m) => m.cls === c),
          burst,
        )
        .map((m, i) => {
          const when = start + i * spacing
          const p = model.add(
            'FaceCheckRecorded',
            {
              worker: m.worker,
              class: c.id,
              session: session.session,
              device: c.device,
              checkedAt: iso(when),
              purpose: 'spot',
              result: 'pass',
              matchScore: 0.97,
              liveness: { method: 'silent', score: 0.9, passed: true },
              place: { lat: c.place.lat, lon: c.place.lon },
              templateHash: templateOf(model, m.worker),
            },
            when,
            { kind: 'device', id: c.device, institution: c.institution.id },
            c.institution.region,
          )
          m.checks.push(p)
          return p
        })
      cases.push({
        rule: 'R6',
        pattern: 'R6-device-burst',
        subject: { kind: 'device', id: c.device },
        events: checks.map((p) => p.id),
        dueBy: dueAtEnd(c),
        note: `${burst} workers passed on ${c.device} within ${rules.R6.params.burst.seconds} s`,
      })
    }
  }

  // R7: most of a worker's checks never happened, yet the completion says they passed.
  {
    const eligible = pick.fresh(
      (m) => m.passedCompletion && m.cls.sessions.filter((s) => s.mode === 'offline').length >= 5,
    )
    for (const m of pick.take(
      eligible,
      casesFor(rates['R7-completion-without-attendance'], eligible.length),
    )) {
      const { offline } = attendedSessions(m)
      const drop = new Set(rng.sample([...offline], Math.ceil(offline.size * 0.5)))
      for (const c of m.checks) if (drop.has(String(c.data.session))) c.removed = true
      cases.push({
        rule: 'R7',
        pattern: 'R7-completion-without-attendance',
        subject: { kind: 'worker', id: m.worker },
        events: [m.completion!.id],
        ...(m.claim ? { dueBy: iso(m.claim.submitted.at) } : {}),
        note: `${m.worker} has checks for ${offline.size - drop.size} of ${m.cls.sessions.length} sessions of ${m.cls.id} but a passed completion`,
      })
    }
  }

  // R8: a skill-upgrade claim with no certificate behind it, or dated before the certificate.
  {
    const uncertified = pick.fresh((m) => m.completion !== undefined && !m.certificate && !m.cls.mill)
    // Not a worker whose own claim is a skill-upgrade one: that would be R1's duplicate as well.
    const certified = pick.fresh(
      (m) => m.certificate !== undefined && !m.cls.mill && m.claim?.kind !== 'skill_upgrade',
    )
    const n = casesFor(rates['R8-claim-without-certificate'], uncertified.length + certified.length)
    const half = Math.min(uncertified.length, Math.ceil(n / 2))
    for (const m of [...pick.take(uncertified, half), ...pick.take(certified, n - half)]) {
      const before = m.certificate !== undefined
      const claimedOn = before
        ? dateOf(at(m.certificate!.issuedOn, '12:00:00') - 5 * dayMs)
        : dateOf(m.cls.end + 30 * dayMs)
      const made = claim(model, m, {
        kind: 'skill_upgrade',
        claimedOn,
        occupationCode: m.cls.occupation.code,
        level: m.cls.level,
        ...(before ? { certificate: m.certificate!.id } : {}),
        payee: { kind: 'worker', id: m.worker },
        region: m.cls.institution.region,
        amount: 150_000,
        pay: false,
      })
      cases.push({
        rule: 'R8',
        pattern: 'R8-claim-without-certificate',
        subject: { kind: 'claim', id: made.id },
        events: [made.submitted.id],
        note: before
          ? `${m.worker} claimed on ${claimedOn}, before certificate ${m.certificate!.id} of ${m.certificate!.issuedOn}`
          : `${m.worker} claimed a skill-upgrade subsidy with no certificate`,
      })
    }
  }

  // R10: brushing online lessons.
  const online = (m: Member) => m.segments.length >= 2
  {
    const eligible = pick.fresh(online)
    for (const m of pick.take(eligible, casesFor(rates['R10-fast-playback'], eligible.length))) {
      const seg = rng.pick(m.segments)
      seg.data.playbackRate = 2
      cases.push({
        rule: 'R10',
        pattern: 'R10-fast-playback',
        subject: { kind: 'worker', id: m.worker },
        events: [seg.id],
        dueBy: dueAtEnd(m.cls),
        note: `${m.worker} played lesson ${String(seg.data.lesson)} at 2×`,
      })
      // Sped-up play is not study time in the one reading of hours: when the lesson was what the
      // completion needed, the completion is short of hours too, and R7 must find that as well.
      const short = hoursOf(m).attendanceShare < rules.R7.params.minShare
      if (m.passedCompletion && m.completion && short)
        cases.push({
          rule: 'R7',
          pattern: 'R7-completion-without-attendance',
          subject: { kind: 'worker', id: m.worker },
          events: [m.completion.id],
          ...(m.claim ? { dueBy: iso(m.claim.submitted.at) } : {}),
          note: `${m.worker}'s completion of ${m.cls.id} passed on a lesson played at 2×, which does not count as study time`,
        })
    }
  }
  {
    const eligible = pick.fresh(online)
    for (const m of pick.take(eligible, casesFor(rates['R10-overlapping-segments'], eligible.length))) {
      const seg = rng.pick(m.segments)
      const start = Date.parse(String(seg.data.start)) + 20 * minuteMs
      const end = start + 60 * minuteMs
      const extra = model.add(
        'OnlineLearningSegmentRecorded',
        { ...seg.data, lesson: `${String(seg.data.lesson)}-x`, start: iso(start), end: iso(end) },
        end,
        { kind: 'system', id: String(seg.data.platform) },
        m.cls.institution.region,
      )
      m.segments.push(extra)
      cases.push({
        rule: 'R10',
        pattern: 'R10-overlapping-segments',
        subject: { kind: 'worker', id: m.worker },
        events: [extra.id],
        dueBy: dueAtEnd(m.cls),
        note: `${m.worker} played two lessons at once`,
      })
    }
  }
  {
    const group = rules.R10.params.maxWorkersPerFingerprint + 1
    const classes = model.classes.filter(
      (c) => !pick.usedClasses.has(c.id) && pick.fresh((m) => m.cls === c && online(m)).length >= group,
    )
    classes.forEach((c, k) => {
      if (k >= casesFor(rates['R10-shared-fingerprint'], classes.length)) return
      pick.usedClasses.add(c.id)
      const members = pick.take(
        pick.fresh((m) => m.cls === c && online(m)),
        group,
      )
      const shared = fingerprintOf(model, `shared-${c.id}`)
      for (const m of members) for (const s of m.segments) s.data.clientFingerprint = shared
      cases.push({
        rule: 'R10',
        pattern: 'R10-shared-fingerprint',
        subject: { kind: 'fingerprint', id: shared },
        events: members.map((m) => firstInFeed(m.segments)!.id),
        dueBy: dueAtEnd(c),
        note: `${group} workers of ${c.id} studied on one client`,
      })
    })
  }

  // R13: an investigator reads records with no case to show for it.
  {
    const readable = model.members.filter((m) => m.completion)
    const n = casesFor(rates['R13-read-without-case'], 20)
    for (let k = 1; k <= n && readable.length > 0; k++) {
      const m = rng.pick(readable)
      const actor = { kind: 'investigator' as const, id: `inv-rogue-${String(k).padStart(2, '0')}` }
      const read = model.add(
        'RecordAccessed',
        {
          worker: m.worker,
          view: 'archive',
          purpose: 'fraud_case',
          client: 'oversight-console',
          requestId: `req-${rng.hex(6)}`,
          found: true,
          flags: ['no_case_ref'],
        },
        m.completion!.at + rng.int(1, 60) * dayMs,
        actor,
        m.cls.institution.region,
      )
      cases.push({
        rule: 'R13',
        pattern: 'R13-read-without-case',
        subject: { kind: 'actor', id: actor.id },
        events: [read.id],
        note: `${actor.id} read ${m.worker}'s archive without a case`,
      })
    }
  }
  // R5, R9 and R12 last: they take what the patterns above left free.
  cases.push(...injectBookings(model, rates, pick))
  cases.push(...injectRings(model, rates, pick))
  cases.push(...injectIdentities(model, rates, pick, year))
  return cases
}
