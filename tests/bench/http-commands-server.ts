// The server side of the HTTP benchmark: the composed app (every write-side service in one
// process, as `npm start` runs it) on PostgreSQL in a schema of its own, with a class set up
// through its own API (designation, programme, 开班申请, review, opening, enrolments with real-name
// checks, a registered face-check device). Listens on 127.0.0.1, prints one JSON line for the
// client, and runs until SIGTERM, then drops what it created.

import { randomBytes } from 'node:crypto'
import { buildApp, type Runtime } from '@trec/app'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { createTokenIssuer } from '@trec/fastify-kit'
import { cardNumberCheckCharacter } from '@trec/privacy'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import pg from 'pg'

export interface ServerInfo {
  url: string
  pid: number
  deviceToken: string
  assessorToken: string
  deviceJwk: JWK
  device: string
  class: string
  session: string
  sessionStart: number
  roster: string[]
}

const institution = 'inst-130100-0042'
const region = '130102'
const sessionStart = Date.parse('2024-04-08T08:00:00+08:00')
const sessionEnd = Date.parse('2024-04-08T17:00:00+08:00')

/** A valid citizen ID number (GB 11643) by sequence 100–999. */
function card(sequence: number): string {
  const first17 = `13010219900307${String(sequence).padStart(3, '0')}`
  return first17 + cardNumberCheckCharacter(first17)
}

export async function serve(connectionString: string, schema: string, workers: number): Promise<void> {
  if (workers < 1 || workers > 900) throw new Error('between 1 and 900 workers')
  const pool = new pg.Pool({ connectionString, max: 20, application_name: 'trec-bench-http' })
  pool.on('error', () => undefined)
  const sql = pgExecutor(pool)
  const store = new SqlEventStore(sql, { schema })
  await store.migrate()
  const roster: string[] = []
  const runtime: Runtime = {
    store,
    sql,
    client: pool,
    async close() {
      await pool.query(`drop schema if exists "${schema}" cascade`)
      // The enrolled workers' data keys (in the shared key store) go with the run.
      await pool.query('delete from trec_keys.worker_keys where pseudonym = any($1)', [roster])
      await store.close()
    },
  }
  const issuer = await createTokenIssuer('https://idp.bench.test', 'trec-api')
  const clock = { now: new Date('2024-04-01T09:00:00+08:00') }
  const app = await buildApp({
    runtime,
    auth: { issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } },
    // The write side, as a write-side process runs in distributed mode (no read-side projections here).
    services: ['training', 'attendance', 'assessment', 'subsidy'],
    pseudonymSecret: randomBytes(32).toString('hex'),
    masterKey: { kid: 'bench', key: randomBytes(32) },
    logLevel: 'warn',
    clock: () => clock.now,
  })
  const bearer = async (claims: Parameters<typeof issuer.mint>[0]) =>
    `Bearer ${await issuer.mint(claims, 3000)}`
  const staff = await bearer({ sub: 'staff-1', role: 'institution_staff', institution })
  const officer = await bearer({ sub: 'officer-1', role: 'subsidy_officer', region: '1301' })
  const post = async (url: string, authorization: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: { authorization }, payload })
    if (res.statusCode !== 201) throw new Error(`set-up step ${url} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }

  await post('/v1/institutions', officer, {
    institution,
    legalName: '石家庄市长安区新航职业培训学校',
    uscc: '52130100MJ0123456N',
    region,
    kinds: ['private_provider'],
    effectiveFrom: '2024-01-01',
  })
  const { programme } = await post('/v1/programmes', officer, {
    region: '130100',
    occupationCode: '6-31-01-03',
    occupationTitle: '电工',
    level: 4,
    subsidyKind: 'training',
    amount: 220_000,
    shortage: false,
    effectiveFrom: '2024-01-01',
    effectiveTo: '2024-12-31',
  })
  const { class: classId } = await post('/v1/classes', staff, {
    institution,
    programme,
    mode: 'offline',
    plannedHours: 9,
    capacity: workers,
    sessions: [
      {
        start: new Date(sessionStart).toISOString(),
        end: new Date(sessionEnd).toISOString(),
        venue: '实训楼301',
      },
    ],
    teachers: [{ teacher: 'tch-130100-1187' }],
  })
  await post(`/v1/classes/${classId}/review`, officer, { outcome: 'passed' })
  await post(`/v1/classes/${classId}/opening`, staff, {})
  for (let i = 0; i < workers; i++) {
    const { worker } = await post(`/v1/classes/${classId}/enrolments`, staff, {
      cardNumber: card(100 + i),
      name: '张建国',
      phone: '13912345678',
      identity: {
        method: 'ssc_platform',
        platform: 'ssc-national',
        platformRef: `SSCP-BENCH-${i}`,
        result: 'passed',
        verifiedAt: '2024-04-01T08:50:00+08:00',
      },
    })
    roster.push(worker)
  }
  const device = 'dev-fc-bench'
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  await post('/v1/devices', staff, { device, class: classId, publicKey: await exportJWK(publicKey) })

  // The day's session is over: the device uploads what it took.
  clock.now = new Date(sessionEnd + 3_600_000)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const info: ServerInfo = {
    url,
    pid: process.pid,
    deviceToken: await issuer.mint({ sub: device, role: 'device', device, class: classId }, 3000),
    assessorToken: await issuer.mint({ sub: 'assessor-1', role: 'assessor', region: '13' }, 3000),
    deviceJwk: await exportJWK(privateKey),
    device,
    class: classId,
    session: 'ses-01',
    sessionStart,
    roster,
  }
  process.stdout.write(`${JSON.stringify(info)}\n`)
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
