import { createHash } from 'node:crypto'
import { usccOf } from '../province/build-clean.ts'
import { casesFor } from '../province/picker.ts'
import { type City, hebeiCities, type Occupation, occupations } from '../province/places.ts'
import { Random } from '../province/random.ts'
import { newCardNumber } from './cards.ts'

// What the generator will send to a running server, decided up front from the seed: the
// institutions, the classes with their members (each with a card number), who attends which
// session, and where fraud goes. The server assigns class ids and pseudonyms as the run goes;
// the card numbers never leave this plan (the manifest names workers by pseudonym), and the same
// seed and options give the same plan, so a check afterwards derives them again.

/** The fraud the generator can inject through the API; the rest the API's own gate refuses. */
export const livePatterns = [
  'R4-impossible-travel',
  'R6-shared-template',
  'R6-device-burst',
  'R11-certificate-mill',
  'R13-read-without-case',
] as const
export type LivePattern = (typeof livePatterns)[number]

export interface LiveOptions {
  /** Any text; also tags the run's institution and device ids, so use a new seed for each run into one server. */
  seed: string
  workers: number
  classSize: [number, number]
  sessions: number
  sessionMinutes: number
  /** How long after a class is applied for its first session begins. */
  leadSeconds: number
  /** Rate of each pattern among the units it can apply to; any rate above 0 injects at least one case. */
  fraud: Partial<Record<LivePattern, number>>
  /**
   * How far an honest class's life goes: `full` through completions, assessments, certificates
   * and claims; `attendance` stops once the class is closed (a quarter of the requests; a mill's
   * class still goes through its exam).
   */
  lifecycle?: 'full' | 'attendance'
}

export const defaultLiveOptions: Omit<LiveOptions, 'seed' | 'workers'> = {
  classSize: [18, 40],
  sessions: 2,
  sessionMinutes: 1,
  leadSeconds: 20,
  fraud: Object.fromEntries(livePatterns.map((p) => [p, 0.01])),
}

export interface PlannedWorker {
  index: number
  card: string
  name: string
  template: string
  /** Attends session i. */
  present: boolean[]
}

export interface PlannedInstitution {
  id: string
  legalName: string
  uscc: string
  city: City
  mill: boolean
}

export interface PlannedClass {
  key: string
  institution: PlannedInstitution
  occupation: Occupation
  level: number
  amount: number
  device: string
  place: { lat: number; lon: number }
  evaluator: { kind: 'social_evaluation_org'; id: string }
  members: PlannedWorker[]
  /** Injected: nine workers pass on the device within a few seconds of each other. */
  burst?: boolean
  /** Injected: the first member's face passes for the second at a sign-in. */
  sharedTemplate?: [PlannedWorker, PlannedWorker]
  /** Injected: a member passes a spot check 170 km away minutes after signing in. */
  travel?: PlannedWorker
}

export interface LivePlan {
  options: LiveOptions
  /** Short tag of the seed, in every id the generator chooses. */
  tag: string
  institutions: PlannedInstitution[]
  classes: PlannedClass[]
  workers: PlannedWorker[]
  /** Injected: investigators who read a worker's archive for a fraud case without naming one. */
  snoops: { actor: string; worker: PlannedWorker }[]
}

const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡']
const given = [
  '建国',
  '秀英',
  '志强',
  '丽娟',
  '海燕',
  '军',
  '敏',
  '静',
  '磊',
  '红梅',
  '晓东',
  '桂兰',
  '伟',
  '芳',
]

/** The programme amount of a level, in fen (within the ¥2,200 a person the shipped rule sets allow). */
export const amountOf = (level: number) => (5 - level) * 30_000 + 150_000

export function buildLivePlan(options: LiveOptions, today = new Date()): LivePlan {
  const o = options
  if (o.sessions < 1 || o.sessionMinutes <= 0)
    throw new Error('a class needs at least one session of some length')
  const rng = new Random(`live\n${o.seed}`)
  const tag = createHash('sha256').update(o.seed).digest('hex').slice(0, 6)
  const taken = new Set<string>()
  const workers: PlannedWorker[] = []
  const newWorker = (city: City, attends: () => boolean): PlannedWorker => {
    const index = workers.length
    const w: PlannedWorker = {
      index,
      card: newCardNumber(rng, city.district, taken, today),
      name: rng.pick(surnames) + rng.pick(given),
      template: createHash('sha256').update(`${o.seed}\ntemplate\n${index}`).digest('hex'),
      present: Array.from({ length: o.sessions }, attends),
    }
    workers.push(w)
    return w
  }
  const institutions: PlannedInstitution[] = []
  const newInstitution = (mill: boolean): PlannedInstitution => {
    const city = rng.pick(hebeiCities)
    const n = institutions.length + 1
    const inst = {
      id: `inst-${city.code}-${tag}-${String(n).padStart(4, '0')}`,
      legalName: `${city.name}市${mill ? '速成' : '新航'}职业培训学校${tag}-${n}`,
      uscc: usccOf(rng, city.district),
      city,
      mill,
    }
    institutions.push(inst)
    return inst
  }
  const classes: PlannedClass[] = []
  const newClass = (inst: PlannedInstitution): PlannedClass => {
    const occupation = rng.pick(occupations)
    const level = rng.pick(occupation.levels)
    const key = `${tag}-${String(classes.length + 1).padStart(5, '0')}`
    const cls: PlannedClass = {
      key,
      institution: inst,
      occupation,
      level,
      amount: amountOf(level),
      device: `dev-${key}`,
      place: { lat: inst.city.lat + rng.between(-0.03, 0.03), lon: inst.city.lon + rng.between(-0.03, 0.03) },
      evaluator: {
        kind: 'social_evaluation_org',
        id: inst.mill ? `eval-mill-${tag}-${institutions.indexOf(inst) + 1}` : `eval-${inst.city.code}-1`,
      },
      members: [],
    }
    classes.push(cls)
    return cls
  }

  // A certificate mill: one class, everyone present, enough candidates for R11 to judge (20).
  const mills = casesFor(o.fraud['R11-certificate-mill'], Math.max(1, Math.round(o.workers / 300)))
  for (let i = 0; i < mills && workers.length < o.workers; i++) {
    const cls = newClass(newInstitution(true))
    for (let k = 0; k < 22; k++) cls.members.push(newWorker(cls.institution.city, () => true))
  }
  // Honest institutions of one to three classes until there are enough workers.
  while (workers.length < o.workers) {
    const inst = newInstitution(false)
    const count = rng.int(1, 3)
    for (let c = 0; c < count && workers.length < o.workers; c++) {
      const cls = newClass(inst)
      const size = Math.min(rng.int(o.classSize[0], o.classSize[1]), o.workers - workers.length)
      for (let k = 0; k < size; k++) {
        // Most attend nearly everything; one in twelve misses about half.
        const p = rng.chance(11 / 12) ? 0.97 : 0.5
        cls.members.push(newWorker(inst.city, () => rng.chance(p)))
      }
    }
  }

  const honest = classes.filter((c) => !c.institution.mill)
  const free = () => honest.filter((c) => !c.burst && !c.sharedTemplate && !c.travel)
  for (const c of rng.sample(
    free().filter((c) => c.members.length >= 9),
    casesFor(o.fraud['R6-device-burst'], honest.length),
  ))
    c.burst = true
  for (const c of rng.sample(
    free().filter((c) => c.members.length >= 2),
    casesFor(o.fraud['R6-shared-template'], honest.length),
  )) {
    const [x, y] = rng.sample(c.members, 2) as [PlannedWorker, PlannedWorker]
    y.present[0] = true
    c.sharedTemplate = [x, y]
  }
  for (const c of rng.sample(free(), casesFor(o.fraud['R4-impossible-travel'], honest.length))) {
    const m = rng.pick(c.members)
    m.present[0] = true
    c.travel = m
  }
  const snoops = Array.from({ length: casesFor(o.fraud['R13-read-without-case'], 20) }, (_, k) => ({
    actor: `inv-rogue-${tag}-${k + 1}`,
    worker: rng.pick(workers),
  }))
  return { options: o, tag, institutions, classes, workers, snoops }
}

/** The sessions a worker must attend for a passed completion (the 0.8 the shipped rules ask). */
export function passesAttendance(w: PlannedWorker): boolean {
  return w.present.filter(Boolean).length / w.present.length >= 0.8
}
