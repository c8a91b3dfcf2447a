// The server side of the mixed-traffic bench: the app as `pnpm serve` runs it (every service in
// one process, the read side's projections, fraud detectors and audit notary following the feed
// on a thread of their own, or on the request thread with TREC_READ_SIDE=main) on a PostgreSQL database of its own, with the record the run's requests
// need set up through its own API first (see setUpWorld). Listens on 127.0.0.1, prints one JSON
// line for the bench (ServerInfo), and runs until SIGTERM.

import { randomBytes } from 'node:crypto'
import {
  admissionOptions,
  buildApp,
  frontOptions,
  loadConfig,
  type Runtime,
  readSideOptions,
  serviceNames,
} from '@trec/app'
import { cryptoProfile } from '@trec/core'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { createTokenIssuer, type Front, listenBehindFront, type Platform } from '@trec/fastify-kit'
import { cardNumberCheckCharacter } from '@trec/privacy'
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose'
import pg from 'pg'
import { programmeBody } from '../e2e/support/programme.ts'
import { readSideLag, storeSchema } from './mixed-traffic-lag.ts'
import { classSize, runningSessions, type World } from './mixed-traffic-mix.ts'
import { watchRequestThread } from './mixed-traffic-thread.ts'

export const region = '130102'
/** The app's clock while the record is set up: before any session. */
const setUpAt = '2021-04-01T09:00:00+08:00'
/** The app's clock during the run: a Tuesday in term time, inside the 石家庄 rule set's period. */
export const runAt = '2021-06-15T10:00:00+08:00'

export interface RunningClass {
  id: string
  institution: string
  device: string
  deviceToken: string
  /** The device's Ed25519 private key, for the load generator to sign batches with. */
  deviceJwk: JWK
  sessions: { session: string; start: string; end: string }[]
  roster: string[]
}

export interface Trained {
  worker: string
  class: string
  institution: string
}

export interface ServerInfo {
  url: string
  pid: number
  now: string
  region: string
  /** Access tokens: institution staff by institution, the card service. */
  staffTokens: Record<string, string>
  cardServiceToken: string
  running: RunningClass[]
  /** Opened classes with room, for the run's enrolments. */
  enrolling: { id: string; institution: string }[]
  completionTargets: Trained[]
  claimTargets: Trained[]
  /** Card numbers of workers on the record, for archive lookups. */
  cards: string[]
  /** The first card sequence number the run's enrolments may use. */
  nextCard: number
  /** Events in the store when the run starts. */
  events: number
  setUpSeconds: number
}

/** A valid citizen ID number (GB 11643) of someone born in 130102; distinct for each n ≥ 0. */
export function card(n: number): string {
  const born = new Date(Date.UTC(1965, 0, 1) + Math.floor(n / 900) * 86_400_000).toISOString().slice(0, 10)
  const first17 = `${region}${born.replaceAll('-', '')}${String(100 + (n % 900))}`
  return first17 + cardNumberCheckCharacter(first17)
}

const occupations = [
  { code: '6-31-01-03', title: '电工', level: 4 },
  { code: '6-18-02-04', title: '焊工', level: 4 },
  { code: '4-03-02-01', title: '中式烹调师', level: 4 },
  { code: '4-10-01-03', title: '育婴员', level: 4 },
] as const

const dayMs = 86_400_000
/** `count` morning sessions (08:30–12:00, Beijing time) on consecutive days from `firstDay`. */
function sessions(firstDay: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(Date.parse(`${firstDay}T00:00:00Z`) + i * dayMs).toISOString().slice(0, 10)
    return {
      start: `${day}T08:30:00+08:00`,
      end: `${day}T12:00:00+08:00`,
      venue: '长安区建设北大街88号实训楼301',
    }
  })
}

/** Runs `work` over `items` with `concurrency` loops. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, i: number) => Promise<void>,
) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++
        await work(items[i]!, i)
      }
    }),
  )
}

const say = (line: string) => process.stderr.write(`  server: ${line}\n`)

export async function serve(connectionString: string, world: World): Promise<void> {
  const started = performance.now()
  const config = loadConfig({ ...process.env, TREC_STORE: 'postgres', DATABASE_URL: connectionString })
  const client = new pg.Pool({
    connectionString,
    max: config.TREC_PG_POOL_MAX,
    application_name: 'trec-bench-mixed',
  })
  client.on('error', () => undefined)
  const sql = pgExecutor(client)
  const store = new SqlEventStore(sql, { schema: storeSchema })
  await store.migrate()
  const runtime: Runtime = { store, sql, client, close: () => store.close() }
  const issuer = await createTokenIssuer('https://idp.bench.test', 'trec-api')
  const clock = { now: new Date(setUpAt) }
  const signingKey = cryptoProfile().signature.generateKeyPair()
  const app = await buildApp({
    runtime,
    auth: { issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } },
    services: serviceNames,
    pseudonymSecret: randomBytes(32).toString('hex'),
    masterKey: { kid: 'bench', key: randomBytes(32) },
    logLevel: 'warn',
    clock: () => clock.now,
    region: '130100',
    // As `pnpm serve` on PostgreSQL configures it: TREC_ADMISSION_* from the environment, else
    // the defaults; the read side on its own thread unless TREC_READ_SIDE=main.
    ...admissionOptions(config),
    ...readSideOptions(config, storeSchema),
    audit: {
      signing: {
        origin: 'bench.trec.example/audit-log',
        keys: [{ privateKey: signingKey.privateKey, notBefore: new Date('2020-01-01T00:00:00Z') }],
      },
    },
  })
  let answered = 0
  app.addHook('onResponse', async () => {
    answered++
  })
  await app.ready()
  let behind: Front | undefined
  watchRequestThread(
    () => answered,
    () => behind,
  )
  const set = await setUpWorld(app, issuer, clock, world)
  clock.now = new Date(runAt)
  // The read side catches up with the set-up before the run, so the run measures the run.
  let lag = await readSideLag(client)
  while (lag.projections > 0 || lag.notary > 0) {
    say(
      `read side catching up with the set-up: ${lag.projections} events behind (projections), ${lag.notary} (notary)`,
    )
    await new Promise((r) => setTimeout(r, 2000))
    lag = await readSideLag(client)
  }
  // Behind a front thread (TREC_FRONT_THREAD=on) as `pnpm serve` would run it, else as fastify listens.
  const front = frontOptions(config)
  behind = front ? await listenBehindFront(app, { ...front, host: '127.0.0.1', port: 0 }) : undefined
  const url = behind?.address ?? (await app.listen({ host: '127.0.0.1', port: 0 }))
  const mint = (claims: Parameters<typeof issuer.mint>[0]) => issuer.mint(claims, 3000)
  const staffTokens: Record<string, string> = {}
  for (const institution of set.institutions)
    staffTokens[institution] = await mint({
      sub: `staff-${institution}`,
      role: 'institution_staff',
      institution,
    })
  for (const cls of set.running)
    cls.deviceToken = await mint({ sub: cls.device, role: 'device', device: cls.device, class: cls.id })
  const info: ServerInfo = {
    url,
    pid: process.pid,
    now: runAt,
    region,
    staffTokens,
    cardServiceToken: await mint({ sub: 'ssc-national', role: 'card_service' }),
    running: set.running,
    enrolling: set.enrolling,
    completionTargets: set.completionTargets,
    claimTargets: set.claimTargets,
    cards: set.cards,
    nextCard: set.nextCard,
    events: lag.events,
    setUpSeconds: (performance.now() - started) / 1000,
  }
  process.stdout.write(`${JSON.stringify(info)}\n`)
  process.once('SIGTERM', () => {
    Promise.resolve(behind?.close())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      )
  })
}

/**
 * The record the run works on, through the app's own API (inject), as its users would build it:
 * institutions designated, programmes published, classes applied for, reviewed and opened with a
 * registered face-check device each, workers enrolled after a real-name check. Classes whose
 * sessions are over have their devices' sign-in checks uploaded; the claim targets' completions
 * are recorded. Then the clock moves to the run's day.
 */
async function setUpWorld(
  app: Platform,
  issuer: Awaited<ReturnType<typeof createTokenIssuer>>,
  clock: { now: Date },
  world: World,
) {
  // Tokens are reused while young: the app refuses a token older than an hour.
  const tokens = new Map<string, { token: string; at: number }>()
  const bearer = async (claims: Parameters<typeof issuer.mint>[0]) => {
    const key = JSON.stringify(claims)
    const known = tokens.get(key)
    if (known && Date.now() - known.at < 1_800_000) return `Bearer ${known.token}`
    const token = await issuer.mint(claims, 3000)
    tokens.set(key, { token, at: Date.now() })
    return `Bearer ${token}`
  }
  const admin = () => bearer({ sub: 'admin-1', role: 'admin' })
  const officer = () => bearer({ sub: 'officer-1', role: 'subsidy_officer', region: '1301' })
  const staff = (institution: string) =>
    bearer({ sub: `staff-${institution}`, role: 'institution_staff', institution })
  const send = async (method: 'GET' | 'POST', url: string, authorization: string, payload?: object) => {
    let res = await app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) })
    // Refused by admission control (the machine is busy): wait as told, then send it again.
    while (res.statusCode === 503 && res.json().code === 'TREC_OVERLOADED') {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers['retry-after'] ?? 1)))
      res = await app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) })
    }
    if (res.statusCode !== (method === 'GET' ? 200 : 201))
      throw new Error(`set-up step ${method} ${url} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }

  const institutions = Array.from({ length: 8 }, (_, i) => `inst-130100-${String(81 + i).padStart(4, '0')}`)
  for (const [i, institution] of institutions.entries())
    await send('POST', '/v1/institutions', await admin(), {
      institution,
      legalName: `石家庄市长安区新航职业培训学校${i + 1}`,
      uscc: '52130100MJ0123456N',
      region,
      kinds: ['private_provider'],
      effectiveFrom: '2021-01-01',
    })
  const programmes: string[] = []
  for (const o of occupations)
    programmes.push(
      (await send('POST', '/v1/programmes', await officer(), programmeBody(o, '2021-01-01', '2021-12-31')))
        .programme,
    )

  type Opened = {
    id: string
    institution: string
    sessions: { session: string; start: string; end: string }[]
  }
  let made = 0
  const openClass = async (firstDay: string, count: number): Promise<Opened> => {
    const n = made++
    const institution = institutions[n % institutions.length]!
    const id = (
      await send('POST', '/v1/classes', await staff(institution), {
        institution,
        programme: programmes[n % programmes.length],
        mode: 'offline',
        plannedHours: 3.5 * count,
        capacity: classSize,
        sessions: sessions(firstDay, count),
        teachers: [{ teacher: `tch-130100-${String(1000 + n).padStart(4, '0')}` }],
      })
    ).class as string
    await send('POST', `/v1/classes/${id}/review`, await officer(), { outcome: 'passed' })
    await send('POST', `/v1/classes/${id}/opening`, await staff(institution), {})
    const view = await send('GET', `/v1/classes/${id}`, await staff(institution))
    return { id, institution, sessions: view.sessions }
  }
  const device = async (cls: Opened) => {
    const id = `dev-fc-${cls.id}`
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
    await send('POST', '/v1/devices', await staff(cls.institution), {
      device: id,
      class: cls.id,
      publicKey: await exportJWK(publicKey),
    })
    return { id, privateKey }
  }
  let cardNo = 0
  const cards: string[] = []
  const enrolAll = async (cls: Opened, count: number): Promise<string[]> => {
    const roster: string[] = []
    for (let i = 0; i < count; i++) {
      const n = cardNo++
      cards.push(card(n))
      const { worker } = await send(
        'POST',
        `/v1/classes/${cls.id}/enrolments`,
        await staff(cls.institution),
        {
          cardNumber: card(n),
          name: '张建国',
          phone: '13912345678',
          identity: {
            method: 'ssc_platform',
            platform: 'ssc-national',
            platformRef: `SSCP-BENCH-${n}`,
            result: 'passed',
            verifiedAt: new Date(clock.now.getTime() - 600_000).toISOString(),
          },
        },
      )
      roster.push(worker)
    }
    return roster
  }

  // Classes: those running now (sessions 1–10 June), those over (10–13 May) and those to come (July).
  const classesFor = (targets: number) => Math.ceil(targets / classSize)
  const counts = {
    running: world.runningClasses,
    completion: classesFor(world.completionTargets),
    claim: classesFor(world.claimTargets),
    enrolling: world.enrollingClasses,
  }
  const all = counts.running + counts.completion + counts.claim + counts.enrolling
  say(
    `setting up ${all} classes (${counts.running} running, ${counts.completion + counts.claim} ended, ${counts.enrolling} enrolling) and ${counts.running * classSize + world.completionTargets + world.claimTargets} enrolments`,
  )
  const running: RunningClass[] = []
  const ended: {
    cls: Opened
    device: Awaited<ReturnType<typeof device>>
    roster: string[]
    claim: boolean
  }[] = []
  const enrolling: { id: string; institution: string }[] = []
  const jobs: (() => Promise<void>)[] = []
  for (let i = 0; i < counts.running; i++)
    jobs.push(async () => {
      const cls = await openClass('2021-06-01', runningSessions)
      const dev = await device(cls)
      const roster = await enrolAll(cls, classSize)
      running.push({
        id: cls.id,
        institution: cls.institution,
        device: dev.id,
        deviceToken: '',
        deviceJwk: await exportJWK(dev.privateKey),
        sessions: cls.sessions,
        roster,
      })
    })
  for (const [kind, targets] of [
    ['completion', world.completionTargets],
    ['claim', world.claimTargets],
  ] as const)
    for (let left = targets; left > 0; left -= classSize)
      jobs.push(async () => {
        const cls = await openClass('2021-05-10', 4)
        const dev = await device(cls)
        ended.push({
          cls,
          device: dev,
          roster: await enrolAll(cls, Math.min(classSize, left)),
          claim: kind === 'claim',
        })
      })
  for (let i = 0; i < counts.enrolling; i++)
    jobs.push(async () => {
      const cls = await openClass('2021-07-05', 4)
      enrolling.push({ id: cls.id, institution: cls.institution })
    })
  let done = 0
  const begun = performance.now()
  await pool(jobs, 6, async (job) => {
    await job()
    const tenth = Math.floor((++done * 10) / jobs.length)
    if (tenth !== Math.floor(((done - 1) * 10) / jobs.length))
      say(`classes set up: ${done}/${jobs.length} (${((performance.now() - begun) / 1000).toFixed(0)} s)`)
  })

  // The run's day: the ended classes' devices upload their sign-in checks, and the claim
  // targets' completions are recorded.
  clock.now = new Date(runAt)
  await pool(ended, 4, async ({ cls, device: dev, roster }) => {
    const token = await bearer({ sub: dev.id, role: 'device', device: dev.id, class: cls.id })
    for (const s of cls.sessions) {
      const checks = roster.map((worker, i) => ({
        worker,
        session: s.session,
        checkedAt: new Date(Date.parse(s.start) + (60 + i * 6) * 1000).toISOString(),
        purpose: 'sign_in',
        result: 'pass',
        matchScore: 0.93,
        liveness: { method: 'silent', score: 0.98, passed: true },
        place: { lat: 38.0428, lon: 114.5149 },
        templateHash: worker.padEnd(64, '0'),
      }))
      const payload = { device: dev.id, class: cls.id, batchId: `setup-${s.session}`, checks }
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid: dev.id })
        .sign(dev.privateKey)
      await send('POST', '/v1/face-check-batches', token, { jws })
    }
  })
  const trained = (claim: boolean) =>
    ended
      .filter((e) => e.claim === claim)
      .flatMap((e) => e.roster.map((worker) => ({ worker, class: e.cls.id, institution: e.cls.institution })))
  const claimTargets = trained(true)
  say(`uploaded the ended classes' sign-ins; recording ${claimTargets.length} completions to claim for`)
  await pool(claimTargets, 6, async (t) => {
    await send('POST', '/v1/completions', await staff(t.institution), { worker: t.worker, class: t.class })
  })
  say(`set up: ${cardNo} workers enrolled, ${claimTargets.length} completed ready to claim`)
  return {
    institutions,
    running,
    enrolling,
    completionTargets: trained(false),
    claimTargets,
    cards,
    nextCard: cardNo,
  }
}
