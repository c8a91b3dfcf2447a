import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTokenIssuer } from '@trec/fastify-kit'
import { type CommandRecord, LoadClient } from './client.ts'
import {
  application,
  assessmentResult,
  certificate,
  contributions,
  type Device,
  designation,
  enrolment,
  faceCheck,
  newDevice,
  type Occupation,
  occupations,
  people,
  programme,
  schedule,
  trainingClaim,
} from './requests.ts'

// Steady mixed load over HTTP. Each lane runs classes through the write side one after another:
// 开班申请, 培训前审核, 开班, a face-check device, enrolments with real-name checks, a signed batch
// of face checks per session (one worker in some classes misses the second session). When a
// class's last session has ended, the completer records completions, assessments and
// certificates for those who passed, contribution histories, a training-subsidy claim (refused
// while no rule set is in force on the wall clock's date, which is itself checked: a refusal must
// append nothing) and the class's closing. A flow whose step is refused is left there.

export interface LoadOptions {
  lanes: number
  institutions: number
  /** Pause between a lane's commands. */
  pauseMs: number
  /** Pause of a lane after each class it opened (so that completing them keeps up). */
  classPauseMs: number
  /** How far ahead of 开班申请 the first session starts (more than a stuck retry can take). */
  sessionLeadMs: number
  sessionLengthMs: number
  workersPerClass: [number, number]
}

interface OpenedClass {
  id: string
  institution: string
  occupation: Occupation
  sessions: { session: string; start: string; end: string }[]
  workers: string[]
  /** Workers who missed a session (their completion does not pass). */
  absent: Set<string>
  endsAt: number
}

export interface LoadStats {
  classesStarted: number
  classesOpened: number
  classesCompleted: number
  /** Flows left after a refused or abandoned step, by step and code. */
  abandoned: Record<string, number>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The chaos runs' load over a window of `windowMs`: a client with tokens signed by the
 * development issuer key in `dataDir`, its lanes of classes, and until when new classes start
 * (`newClassesUntil(start)`, so that the classes started are completed inside the window).
 */
export async function chaosLoad(
  dataDir: string,
  baseOf: (process: string) => string,
  lanes: number,
  windowMs: number,
): Promise<{ client: LoadClient; load: Load; newClassesUntil: (start: number) => number }> {
  // A request cut off mid-way leaves its key "in progress" for 60 s before a retry may run it.
  const client = await chaosLoadClient(dataDir, baseOf, 240_000)
  // A session may not have begun at 开班申请, which a retry held up for the 60 s an interrupted
  // request keeps its key must still find true.
  const sessionLeadMs = Math.min(80_000, Math.max(20_000, windowMs / 3))
  const sessionLengthMs = 20_000
  const load = new Load(client, {
    lanes,
    institutions: 4,
    pauseMs: 80,
    classPauseMs: 1000,
    sessionLeadMs,
    sessionLengthMs,
    workersPerClass: [3, 5],
  })
  const classSpan = sessionLeadMs + 2 * sessionLengthMs + 10_000
  // Classes started later would be completed after the window; a short run still starts some.
  const newClassesUntil = (start: number) =>
    Math.max(start + windowMs - classSpan, start + Math.min(20_000, windowMs / 2))
  return { client, load, newClassesUntil }
}

/** A load client whose tokens are signed by the development issuer key in `dataDir`. */
export async function chaosLoadClient(
  dataDir: string,
  baseOf: (process: string) => string,
  retryForMs: number,
): Promise<LoadClient> {
  const secrets = JSON.parse(await readFile(join(dataDir, 'dev-secrets.json'), 'utf8'))
  return new LoadClient({
    issuer: await createTokenIssuer('trec-dev', 'trec-api', secrets.issuerJwk),
    baseOf,
    retryForMs,
    attemptTimeoutMs: 20_000,
  })
}

export class Load {
  readonly stats: LoadStats = { classesStarted: 0, classesOpened: 0, classesCompleted: 0, abandoned: {} }
  readonly #client: LoadClient
  readonly #o: LoadOptions
  readonly #institutions: string[] = []
  readonly #programmes = new Map<string, string>()
  readonly #parked: OpenedClass[] = []
  readonly #workers: string[] = []
  #people = 0
  #serial = 0
  #classes = 0

  constructor(client: LoadClient, options: LoadOptions) {
    this.#client = client
    this.#o = options
  }

  /** Institutions designated and programmes published, before the faults start. */
  async setup(): Promise<void> {
    const now = Date.now()
    for (let i = 0; i < this.#o.institutions; i++) {
      const id = `inst-130100-${String(9001 + i)}`
      const r = await this.#client.command(
        'institution.designate',
        'training',
        '/v1/institutions',
        people.admin,
        designation(id, now),
      )
      if (r.outcome !== 'acknowledged') throw new Error(`designating ${id}: ${describe(r)}`)
      this.#institutions.push(id)
    }
    for (const o of occupations) {
      const r = await this.#client.command(
        'programme.publish',
        'training',
        '/v1/programmes',
        people.officer,
        programme(o, now),
      )
      if (r.outcome !== 'acknowledged') throw new Error(`publishing ${o.title}: ${describe(r)}`)
      this.#programmes.set(o.code, r.answer.programme)
    }
  }

  /**
   * Runs the lanes and the completer. Lanes start classes until `newClassesUntil`, then send
   * contribution histories until `endAt`; the completer finishes every opened class.
   */
  async run(newClassesUntil: number, endAt: number): Promise<void> {
    const lanes = Array.from({ length: this.#o.lanes }, (_, lane) => this.#lane(lane, newClassesUntil, endAt))
    let lanesDone = false
    const completer = this.#completer(() => lanesDone)
    await Promise.all(lanes)
    lanesDone = true
    await completer
  }

  #abandon(step: string, r: CommandRecord): false {
    const why = `${step}: ${r.outcome === 'gave-up' ? `gave up (${r.lastError})` : `${r.status} ${r.code ?? ''}`.trim()}`
    this.stats.abandoned[why] = (this.stats.abandoned[why] ?? 0) + 1
    return false
  }

  async #lane(lane: number, newClassesUntil: number, endAt: number): Promise<void> {
    await sleep(lane * 150)
    while (Date.now() < newClassesUntil) {
      await this.#openClass(lane)
      await sleep(this.#o.classPauseMs)
    }
    while (Date.now() < endAt) {
      const worker = this.#workers[Math.floor(Math.random() * this.#workers.length)]
      if (worker)
        await this.#client.command(
          'contributions.attest',
          'subsidy',
          `/v1/workers/${worker}/contribution-history`,
          people.officer,
          contributions(worker, Date.now()),
        )
      await sleep(this.#o.pauseMs * 4)
    }
  }

  async #step(
    label: string,
    process: string,
    url: string,
    who: Parameters<LoadClient['command']>[3],
    body: unknown,
  ) {
    const r = await this.#client.command(label, process, url, who, body)
    await sleep(this.#o.pauseMs)
    return r
  }

  async #openClass(lane: number): Promise<boolean> {
    this.stats.classesStarted++
    const n = this.#classes++
    const institution = this.#institutions[(lane + n) % this.#institutions.length]!
    const occupation = occupations[n % occupations.length]!
    const staff = people.staff(institution)
    const sessions = schedule(Date.now(), this.#o.sessionLeadMs, this.#o.sessionLengthMs)
    const applied = await this.#step(
      'class.apply',
      'training',
      '/v1/classes',
      staff,
      application(institution, this.#programmes.get(occupation.code)!, sessions),
    )
    if (applied.outcome !== 'acknowledged') return this.#abandon('class.apply', applied)
    const id = applied.answer.class as string
    const review = await this.#step('class.review', 'training', `/v1/classes/${id}/review`, people.officer, {
      outcome: 'passed',
    })
    if (review.outcome !== 'acknowledged') return this.#abandon('class.review', review)
    const opening = await this.#step('class.open', 'training', `/v1/classes/${id}/opening`, staff, {})
    if (opening.outcome !== 'acknowledged') return this.#abandon('class.open', opening)
    const view = await this.#client.read('training', `/v1/classes/${id}`, staff)
    if (!view?.sessions) {
      this.stats.abandoned['class.read: no answer'] = (this.stats.abandoned['class.read: no answer'] ?? 0) + 1
      return false
    }
    this.stats.classesOpened++
    const device: Device = await newDevice(`dev-fc-${id.slice(-12)}`, id)
    const registered = await this.#step('device.register', 'attendance', '/v1/devices', staff, {
      device: device.id,
      class: id,
      publicKey: device.publicKey,
    })
    if (registered.outcome !== 'acknowledged') return this.#abandon('device.register', registered)
    const [min, max] = this.#o.workersPerClass
    const count = min + Math.floor(Math.random() * (max - min + 1))
    const workers: string[] = []
    for (let i = 0; i < count; i++) {
      const enrolled = await this.#step(
        'worker.enrol',
        'training',
        `/v1/classes/${id}/enrolments`,
        staff,
        enrolment(this.#people++, id, Date.now()),
      )
      if (enrolled.outcome === 'acknowledged') workers.push(enrolled.answer.worker)
      else this.#abandon('worker.enrol', enrolled)
    }
    if (workers.length === 0) return false
    // In every third class the last worker misses the second session: a completion that does not pass.
    const absent = new Set(n % 3 === 0 && workers.length > 1 ? [workers[workers.length - 1]!] : [])
    for (const [i, session] of (view.sessions as OpenedClass['sessions']).entries()) {
      const present = workers.filter((w) => i === 0 || !absent.has(w))
      const payload = {
        device: device.id,
        class: id,
        batchId: `b-${session.session}`,
        checks: present.map((w) => faceCheck(w, session)),
      }
      const batch = await this.#step(
        'facecheck.batch',
        'attendance',
        '/v1/face-check-batches',
        people.device(device.id, id),
        { jws: await device.sign(payload) },
      )
      if (batch.outcome !== 'acknowledged') return this.#abandon('facecheck.batch', batch)
    }
    this.#workers.push(...workers)
    this.#parked.push({
      id,
      institution,
      occupation,
      sessions: view.sessions,
      workers,
      absent,
      endsAt: Math.max(...(view.sessions as OpenedClass['sessions']).map((s) => Date.parse(s.end))),
    })
    return true
  }

  async #completer(lanesDone: () => boolean): Promise<void> {
    const running = new Set<Promise<void>>()
    for (;;) {
      const due = this.#parked.filter((c) => c.endsAt + 2000 < Date.now())
      for (const cls of due) {
        this.#parked.splice(this.#parked.indexOf(cls), 1)
        const p = this.#complete(cls).finally(() => running.delete(p))
        running.add(p)
        if (running.size >= 2 * this.#o.lanes) await Promise.race(running)
      }
      if (lanesDone() && this.#parked.length === 0) break
      await sleep(500)
    }
    await Promise.all(running)
  }

  async #complete(cls: OpenedClass): Promise<void> {
    const staff = people.staff(cls.institution)
    const passed: string[] = []
    for (const worker of cls.workers) {
      const r = await this.#step('training.complete', 'assessment', '/v1/completions', staff, {
        worker,
        class: cls.id,
      })
      if (r.outcome !== 'acknowledged') this.#abandon('training.complete', r)
      else if (!cls.absent.has(worker)) passed.push(worker)
    }
    for (const worker of passed) {
      const now = Date.now()
      const result = await this.#step(
        'assessment.record',
        'assessment',
        '/v1/assessment-results',
        people.assessor,
        assessmentResult(worker, cls.id, cls.occupation, now),
      )
      if (result.outcome !== 'acknowledged') {
        this.#abandon('assessment.record', result)
        continue
      }
      const serial = `S${String(Date.now()).slice(-9)}${String(++this.#serial).padStart(5, '0')}`
      const issued = await this.#step(
        'certificate.issue',
        'assessment',
        '/v1/certificates',
        people.assessor,
        certificate(worker, serial, cls.occupation, now),
      )
      if (issued.outcome !== 'acknowledged') this.#abandon('certificate.issue', issued)
    }
    for (const worker of cls.workers) {
      const r = await this.#step(
        'contributions.attest',
        'subsidy',
        `/v1/workers/${worker}/contribution-history`,
        people.officer,
        contributions(worker, Date.now()),
      )
      if (r.outcome !== 'acknowledged') this.#abandon('contributions.attest', r)
    }
    if (passed[0])
      await this.#step(
        'claim.submit',
        'subsidy',
        '/v1/claims',
        staff,
        trainingClaim(cls.institution, cls.id, passed[0]),
      )
    const closed = await this.#step('class.close', 'training', `/v1/classes/${cls.id}/closing`, staff, {
      reason: 'completed',
    })
    if (closed.outcome !== 'acknowledged') this.#abandon('class.close', closed)
    else this.stats.classesCompleted++
  }
}

export function describe(r: CommandRecord): string {
  return r.outcome === 'gave-up'
    ? `gave up after ${r.attempts} attempts (${r.lastError})`
    : `${r.status} ${r.code ?? ''} ${JSON.stringify(r.answer)?.slice(0, 400)}`
}
