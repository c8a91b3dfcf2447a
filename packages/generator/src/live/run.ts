import { chinaDay } from '@trec/core'
import { Random } from '../province/random.ts'
import type { Api, Caller } from './api.ts'
import { newDevice } from './device.ts'
import {
  type LiveOptions,
  type LivePattern,
  type LivePlan,
  type PlannedClass,
  passesAttendance,
} from './plan.ts'
import { checksOf, type FaceCheck, sessionsFrom } from './schedule.ts'

// Runs a plan against a server: institutions and programmes first, then every class through its
// life as the parties would live it (applied, reviewed, opened, a terminal registered, workers
// enrolled after a real-name check, face checks uploaded once their time has come, the class
// closed after its last session, completions, assessments, certificates and the provider's
// claims), all classes at once with the requests bounded by the client. Answers the manifest.

export interface InjectedLiveCase {
  rule: string
  pattern: LivePattern
  /** What the alert is about, as the alert names it (workers by pseudonym). */
  subject: { kind: string; id: string }
  class?: string
  note: string
}

export interface LiveManifest {
  generator: 'trec-live-province-v1'
  seed: string
  options: LiveOptions
  server: string
  startedAt: string
  finishedAt: string
  counts: {
    institutions: number
    classes: number
    workers: number
    faceChecks: number
    completions: number
    certificates: number
    claims: number
    requests: number
  }
  /** Pseudonyms in plan order: the worker with card number i of the plan is `workers[i]`. */
  workers: string[]
  classes: { key: string; class: string; institution: string; device: string; members: number }[]
  injected: InjectedLiveCase[]
}

const people = {
  admin: { sub: 'generator-admin', role: 'admin' },
  officer: (city: string): Caller => ({
    sub: `generator-officer-${city}`,
    role: 'subsidy_officer',
    region: city.slice(0, 4),
  }),
  assessor: { sub: 'generator-assessor', role: 'assessor', region: '13' },
  staff: (institution: string): Caller => ({
    sub: `staff-${institution}`,
    role: 'institution_staff',
    institution,
  }),
  device: (device: string, cls: string): Caller => ({ sub: device, role: 'device', device, class: cls }),
} satisfies Record<string, Caller | ((...a: string[]) => Caller)>

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** Requests the plan will take, for the progress bar (claims and certificates estimated). */
export function plannedRequests(plan: LivePlan): number {
  const programmes = new Set(
    plan.classes.map((c) => `${c.institution.city.code}|${c.occupation.code}|${c.level}`),
  )
  let n = plan.institutions.length + programmes.size + plan.snoops.length
  for (const c of plan.classes)
    n +=
      6 +
      Math.ceil(c.members.length / 200) +
      c.members.length * (plan.options.lifecycle === 'attendance' && !c.institution.mill ? 1 : 4.4)
  return Math.round(n)
}

export async function runLiveProvince(api: Api, plan: LivePlan, server: string): Promise<LiveManifest> {
  const startedAt = new Date().toISOString()
  const o = plan.options
  const today = () => chinaDay(new Date())
  const year = Number(today().slice(0, 4))
  const counts = { faceChecks: 0, completions: 0, certificates: 0, claims: 0 }
  const workers: string[] = new Array(plan.workers.length).fill('')

  await Promise.all(
    plan.institutions.map((inst) =>
      api.post('/v1/institutions', people.admin, {
        institution: inst.id,
        legalName: inst.legalName,
        uscc: inst.uscc,
        region: inst.city.district,
        kinds: ['private_provider'],
        effectiveFrom: `${year}-01-01`,
      }),
    ),
  )
  const programmes = new Map<string, Promise<string>>()
  const programmeOf = (c: PlannedClass) => {
    const key = `${c.institution.city.code}|${c.occupation.code}|${c.level}`
    let p = programmes.get(key)
    if (!p) {
      p = api
        .post('/v1/programmes', people.officer(c.institution.city.code), {
          region: c.institution.city.code,
          occupationCode: c.occupation.code,
          occupationTitle: c.occupation.title,
          level: c.level,
          subsidyKind: 'training',
          amount: c.amount,
          shortage: false,
          effectiveFrom: `${year}-01-01`,
          effectiveTo: `${year + 1}-12-31`,
        })
        .then((a) => a.programme as string)
      programmes.set(key, p)
    }
    return p
  }

  const classes = await Promise.all(
    plan.classes.map(async (c) => {
      const rng = new Random(`live-class\n${o.seed}\n${c.key}`)
      const staff = people.staff(c.institution.id)
      const programme = await programmeOf(c)
      let sessions = sessionsFrom(0, 1, 1)
      const applied = await api.post('/v1/classes', staff, () => {
        sessions = sessionsFrom(Date.now() + o.leadSeconds * 1000, o.sessions, o.sessionMinutes)
        return {
          institution: c.institution.id,
          programme,
          mode: 'offline',
          plannedHours: Math.max(1, Math.round((o.sessions * o.sessionMinutes) / 60)),
          capacity: Math.max(50, c.members.length),
          sessions: sessions.map((s) => ({ ...s, venue: `${c.institution.legalName} 实训教室 ${c.key}` })),
          teachers: [{ teacher: `tch-${c.key}` }],
        }
      })
      const id = applied.class as string
      await api.post(`/v1/classes/${id}/review`, people.officer(c.institution.city.code), {
        outcome: 'passed',
      })
      await api.post(`/v1/classes/${id}/opening`, staff, {})
      const device = newDevice(c.device)
      await api.post('/v1/devices', staff, { device: device.id, class: id, publicKey: device.publicJwk })
      await Promise.all(
        c.members.map(async (w) => {
          // The real-name check a minute before the request leaves (a check may not be stale).
          const answer = await api.post(`/v1/classes/${id}/enrolments`, staff, () => ({
            cardNumber: w.card,
            name: w.name,
            phone: `139${String(10_000_000 + w.index).slice(-8)}`,
            identity: {
              method: 'ssc_platform',
              platform: 'ssc-national',
              platformRef: `SSCP-${plan.tag}-${w.index}`,
              result: 'passed',
              verifiedAt: new Date(Date.now() - 60_000).toISOString(),
            },
          }))
          workers[w.index] = answer.worker as string
        }),
      )

      // Face checks once the terminal could have taken them (the server refuses future ones).
      const checks = checksOf(c, sessions, rng)
      await wait(Date.parse(checks.at(-1)?.checkedAt ?? sessions[0]!.start) - Date.now() + 1_000)
      // The queues in batches of up to 200; the spot checks after them, one batch each in time
      // order, as a terminal sends what it takes in real time (a batch reaches the record grouped
      // by worker, and the burst rule judges a check by those before it in the record).
      const queued = checks.filter((k) => k.purpose === 'sign_in')
      const uploads = [
        ...Array.from({ length: Math.ceil(queued.length / 200) }, (_, i) =>
          queued.slice(i * 200, i * 200 + 200),
        ),
        ...checks.filter((k) => k.purpose !== 'sign_in').map((k) => [k]),
      ]
      for (const [n, part] of uploads.entries()) {
        const batch = {
          device: device.id,
          class: id,
          batchId: `${c.key}-${n + 1}`,
          checks: part.map((k) => checkBody(k, workers[k.worker.index]!)),
        }
        await api.post('/v1/face-check-batches', people.device(device.id, id), { jws: device.sign(batch) })
      }
      counts.faceChecks += checks.length

      await wait(Date.parse(sessions.at(-1)!.end) - Date.now() + 1_000)
      await api.post(`/v1/classes/${id}/closing`, staff, { reason: 'completed' })
      const done = {
        key: c.key,
        class: id,
        institution: c.institution.id,
        device: device.id,
        members: c.members.length,
      }
      if (o.lifecycle === 'attendance' && !c.institution.mill) return done
      await Promise.all(
        c.members.map(async (w) => {
          const worker = workers[w.index]!
          await api.post('/v1/completions', staff, { worker, class: id })
          counts.completions += 1
          if (!passesAttendance(w)) return
          const score = c.institution.mill
            ? 88 + rng.int(0, 4)
            : Math.round(Math.min(100, Math.max(30, rng.normal(74, 9))) * 10) / 10
          const passed = score >= 60
          await api.post('/v1/assessment-results', people.assessor, {
            worker,
            class: id,
            region: c.institution.city.district,
            occupationCode: c.occupation.code,
            level: c.level,
            score,
            passed,
            evaluator: c.evaluator,
            assessedOn: today(),
          })
          if (!passed) return
          await api.post('/v1/certificates', people.assessor, {
            worker,
            kind: 'skill_level',
            issuer: c.evaluator,
            serial: `HB${plan.tag}${String(w.index).padStart(6, '0')}`,
            region: c.institution.city.district,
            occupationCode: c.occupation.code,
            level: c.level,
            issuedOn: today(),
          })
          counts.certificates += 1
          if (c.institution.mill || !rng.chance(0.9)) return
          await api.post('/v1/claims', staff, {
            worker,
            region: c.institution.city.district,
            kind: 'training',
            payee: { kind: 'provider', id: c.institution.id },
            amount: c.amount,
            class: id,
          })
          counts.claims += 1
        }),
      )
      return done
    }),
  )

  for (const snoop of plan.snoops)
    await api.post(
      '/v1/archive/lookup',
      { sub: snoop.actor, role: 'investigator' },
      {
        cardNumber: snoop.worker.card,
        purpose: 'fraud_case',
      },
    )

  return {
    generator: 'trec-live-province-v1',
    seed: o.seed,
    options: o,
    server,
    startedAt,
    finishedAt: new Date().toISOString(),
    counts: {
      institutions: plan.institutions.length,
      classes: plan.classes.length,
      workers: plan.workers.length,
      ...counts,
      requests: api.requests,
    },
    workers,
    classes,
    injected: injectedCases(plan, classes, workers),
  }
}

function checkBody(k: FaceCheck, worker: string) {
  return {
    worker,
    session: k.session,
    checkedAt: k.checkedAt,
    purpose: k.purpose,
    result: 'pass',
    matchScore: 0.93,
    liveness: { method: 'silent', score: 0.97, passed: true },
    place: k.place,
    templateHash: k.template,
  }
}

function injectedCases(
  plan: LivePlan,
  classes: LiveManifest['classes'],
  workers: string[],
): InjectedLiveCase[] {
  const cases: InjectedLiveCase[] = []
  plan.classes.forEach((c, i) => {
    const id = classes[i]!.class
    if (c.institution.mill)
      for (const subject of [
        { kind: 'evaluator', id: c.evaluator.id },
        { kind: 'institution', id: c.institution.id },
      ])
        cases.push({
          rule: 'R11',
          pattern: 'R11-certificate-mill',
          subject,
          class: id,
          note: `${c.members.length} candidates of ${c.institution.id} all passed by ${c.evaluator.id} with scores 88–92`,
        })
    if (c.burst)
      cases.push({
        rule: 'R6',
        pattern: 'R6-device-burst',
        subject: { kind: 'device', id: c.device },
        class: id,
        note: `9 workers passed on ${c.device} within 27 s`,
      })
    if (c.sharedTemplate)
      cases.push({
        rule: 'R6',
        pattern: 'R6-shared-template',
        subject: { kind: 'template', id: c.sharedTemplate[0].template },
        class: id,
        note: `${workers[c.sharedTemplate[0].index]}'s face passed for ${workers[c.sharedTemplate[1].index]}`,
      })
    if (c.travel)
      cases.push({
        rule: 'R4',
        pattern: 'R4-impossible-travel',
        subject: { kind: 'worker', id: workers[c.travel.index]! },
        class: id,
        note: 'a spot check about 170 km from the classroom seconds after the sign-in',
      })
  })
  for (const s of plan.snoops)
    cases.push({
      rule: 'R13',
      pattern: 'R13-read-without-case',
      subject: { kind: 'actor', id: s.actor },
      note: `${s.actor} read ${workers[s.worker.index]}'s archive for a fraud case without naming one`,
    })
  return cases
}
