import type { InjectedCase } from './inject.ts'
import {
  dateOf,
  dayMs,
  firstInFeed,
  iso,
  type Member,
  minuteMs,
  type Pending,
  type ProvinceModel,
} from './model.ts'
import { casesFor, type Picker } from './picker.ts'

// R9 injected: trainees who are not who or what the record says. A worker enrolled after a check
// that failed; a worker enrolled on an unsigned check in a district whose rule set requires a
// signed attestation (every other enrolment there carries one); a worker whose check is a
// classmate's (the same platform reference of the same reader); a worker whose attestation says
// the person died months before, or is in full-time study.

export const identityPatterns = [
  'R9-unverified',
  'R9-attestation-missing',
  'R9-another-person',
  'R9-deceased',
  'R9-full-time-study',
] as const
type IdentityPattern = (typeof identityPatterns)[number]

const issuer = 'ssc-hebei'

const checkOf = (m: Member): Pending => m.enrolment[0]!
const enrolmentOf = (m: Member): Pending => m.enrolment[1]!

/** Makes a member's check a signed one: the record of an attestation of the card platform. */
function sign(model: ProvinceModel, m: Member, facts?: Record<string, unknown>[]): void {
  const check = checkOf(m)
  check.data.method = 'ssc_platform'
  check.data.verifiedBy = { kind: 'platform', id: issuer }
  check.data.attestation = {
    issuer,
    kid: `${issuer}-1`,
    issuedAt: iso(check.at - 5 * minuteMs),
    expiresAt: iso(check.at + 10 * minuteMs),
    sha256: model.digest(`attestation\n${check.id}`),
    ...(facts ? { facts } : {}),
  }
}

export function injectIdentities(
  model: ProvinceModel,
  rates: Partial<Record<IdentityPattern, number>>,
  pick: Picker,
  year: number,
): InjectedCase[] {
  const rng = model.rng
  const cases: InjectedCase[] = []
  const eligible = () => pick.fresh((m) => !m.cls.mill)
  const subjectCase = (
    pattern: IdentityPattern,
    m: Member,
    events: string[],
    note: string,
  ): InjectedCase => ({
    rule: 'R9',
    pattern,
    subject: { kind: 'worker', id: m.worker },
    events,
    dueBy: iso(m.cls.start),
    note,
  })

  let required: string | undefined
  // A district requires signed attestations from the start of the year; a few enrolments there lack one.
  {
    const first = eligible()
    const n = casesFor(rates['R9-attestation-missing'], first.length)
    if (n > 0) {
      const region = rng.pick(first).cls.institution.region
      required = region
      const targets = pick.take(
        first.filter((m) => m.cls.institution.region === region),
        n,
      )
      model.add(
        'SubsidyRuleSetPublished',
        {
          province: region.slice(0, 2),
          ruleSet: {
            // The year's own set: provinces built in yearly shards publish one each, none overlapping.
            id: `idv-${region}-${year}`,
            version: 1,
            title: `${region} 职业技能培训实名认证`,
            region,
            validFrom: `${year}-01-01`,
            validTo: `${year}-12-31`,
            source: 'A district standard of the synthetic province (not from the seeds).',
            shortageOccupations: { source: 'none listed', codes: [] },
            kinds: {
              training: {
                source: 'the district’s ceiling',
                payees: ['provider'],
                amount: { basis: 'cap', perPerson: 220_000 },
                requires: { enrolment: true, attendance: true, completion: true, certificate: false },
              },
            },
            practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8 },
            identity: { source: 'D0 「实现培训对象实名认证」', requireAttestation: true },
          },
        },
        Date.parse(`${year - 1}-12-20T09:00:00+08:00`),
        { kind: 'subsidy_officer', id: `sbo-${region.slice(0, 4)}` },
        region,
      )
      const missing = new Set(targets)
      for (const m of model.members)
        if (m.cls.institution.region === region && !missing.has(m)) sign(model, m)
      for (const m of targets)
        cases.push(
          subjectCase(
            'R9-attestation-missing',
            m,
            [enrolmentOf(m).id],
            `${m.worker} enrolled in ${m.cls.id} on the provider's word where ${region}'s rule set requires a signed attestation`,
          ),
        )
    }
  }

  // A check that answered mismatch, and the enrolment recorded all the same.
  {
    const list = eligible()
    for (const m of pick.take(list, casesFor(rates['R9-unverified'], list.length))) {
      checkOf(m).data.result = 'mismatch'
      cases.push(
        subjectCase(
          'R9-unverified',
          m,
          [enrolmentOf(m).id],
          `${m.worker} enrolled in ${m.cls.id} after a check that answered mismatch`,
        ),
      )
    }
  }

  // A classmate's check presented again for another person.
  {
    // Outside the district that requires signatures: a copied attestation would be expired there too.
    const mates = (m: Member) => pick.fresh((o) => o.cls === m.cls && o.worker !== m.worker)
    const list = eligible().filter((m) => m.cls.institution.region !== required && mates(m).length > 0)
    for (const m of pick.take(list, casesFor(rates['R9-another-person'], list.length))) {
      const candidates = mates(m)
      if (candidates.length === 0) continue
      const mate = rng.pick(candidates)
      pick.used.add(mate.worker)
      const own = checkOf(m)
      const theirs = checkOf(mate)
      for (const field of ['method', 'platformRef', 'verifiedBy', 'attestation'] as const) {
        if (theirs.data[field] === undefined) delete own.data[field]
        else own.data[field] = structuredClone(theirs.data[field])
      }
      const firstCheck = firstInFeed([own, theirs])!
      const [earlier, later] = firstCheck === own ? [m, mate] : [mate, m]
      cases.push(
        subjectCase(
          'R9-another-person',
          later,
          [checkOf(earlier).id, checkOf(later).id],
          `${m.worker}'s real-name check in ${m.cls.id} is ${mate.worker}'s`,
        ),
      )
    }
  }

  // An attestation of the person that says they died, or that they are at school full time.
  for (const pattern of ['R9-deceased', 'R9-full-time-study'] as const) {
    const list = eligible()
    for (const m of pick.take(list, casesFor(rates[pattern], list.length))) {
      const enrolled = enrolmentOf(m).at
      const fact =
        pattern === 'R9-deceased'
          ? {
              fact: 'deceased',
              on: dateOf(enrolled - rng.int(60, 400) * dayMs),
              source: { system: 'hebei-civil-registry', ref: `DR-${rng.hex(6)}` },
            }
          : {
              fact: 'full_time_study',
              until: `${year + 1}-07-01`,
              source: { system: 'student-register', ref: `XJ-${rng.hex(6)}` },
            }
      sign(model, m, [fact])
      cases.push(
        subjectCase(
          pattern,
          m,
          [checkOf(m).id, enrolmentOf(m).id],
          pattern === 'R9-deceased'
            ? `${m.worker} enrolled in ${m.cls.id}; the attestation records the person as deceased on ${fact.on}`
            : `${m.worker} enrolled in ${m.cls.id}; the attestation records full-time study until ${fact.until}`,
        ),
      )
    }
  }
  return cases
}
