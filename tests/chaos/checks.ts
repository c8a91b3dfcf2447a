import { createHash } from 'node:crypto'
import { archiveProjection } from '@trec/archive'
import { leafText } from '@trec/audit'
import { complianceProjection } from '@trec/compliance'
import type { RecordedEvent } from '@trec/eventstore'
import { pgExecutor, type SqlEventStore } from '@trec/eventstore/postgres'
import { CompactTree, KeySet, leafHash, verifyCheckpointJws, verifyCheckpointNote } from '@trec/merkle'
import { OversightReadSide } from '@trec/oversight'
import { type Projection, ProjectionRunner, rebuild } from '@trec/projections'
import { defaultRulesDir, loadRuleSets } from '@trec/subsidy'
import { Kafka, logLevel } from 'kafkajs'
import type pg from 'pg'
import type { CommandRecord } from './client.ts'

// What must hold once the system has caught up after the faults. Each check answers ok and a
// line of detail (numbers, and the first few offenders when it fails).

export interface CheckResult {
  name: string
  ok: boolean
  /** Not run, with why. */
  skipped?: string
  detail: string
}

export interface CheckInputs {
  pool: pg.Pool
  store: SqlEventStore
  ledger: readonly CommandRecord[]
  /** The audit service's base URL and an auditor's token, when the audit service runs. */
  audit?: { base: string; token: string }
  kafka: { brokers: string[]; topic: string }
  log: (line: string) => void
}

/**
 * Events the system appends by itself, not on a command of the load (the shipped rule sets are
 * published once, at first start, under ids derived from set and version).
 */
const backgroundTypes = new Set([
  'FraudAlertRaised',
  'RecordAccessed',
  'RecordsExported',
  'SubsidyRuleSetPublished',
])

const few = (items: readonly unknown[], n = 5) =>
  items.length === 0 ? '' : ` e.g. ${items.slice(0, n).map(String).join('; ')}${items.length > n ? ' …' : ''}`

function uuidFromHash(h: Buffer): string {
  h[6] = (h[6]! & 0x0f) | 0x80
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.toString('hex', 0, 16)
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`
}

/** The n-th event id a command with this Idempotency-Key appends (@trec/fastify-kit commandEventIds). */
function keyEventId(caller: string, key: string, n: number): string {
  return uuidFromHash(createHash('sha256').update(`${caller}\n${key}\n${n}`).digest())
}

/** The id of a batch's i-th face check (@trec/attendance event-ids.ts): derived from device and batch id. */
function faceCheckEventId(device: string, batchId: string, index: number): string {
  return uuidFromHash(
    createHash('sha256').update(`trec.attendance.face-check\n${device}\n${batchId}\n${index}`).digest(),
  )
}

/** Every id a command could have appended under, whether or not it was acknowledged. */
function possibleIds(r: CommandRecord): string[] {
  const ids: string[] = []
  for (let n = 0; n < Math.max(r.ids.length, 4) + 24; n++) ids.push(keyEventId(r.caller, r.key, n))
  if (r.label === 'facecheck.batch') {
    const jws = (r.body as { jws: string }).jws
    const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as {
      device: string
      batchId: string
      checks: unknown[]
    }
    for (let i = 0; i < payload.checks.length; i++)
      ids.push(faceCheckEventId(payload.device, payload.batchId, i))
  }
  return ids
}

export async function readFeed(store: SqlEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = []
  let after = 0n
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 5000 })
    if (batch.length === 0) return events
    events.push(...batch)
    after = batch[batch.length - 1]!.position
  }
}

function acknowledgedInStore(
  ledger: readonly CommandRecord[],
  byId: Map<string, RecordedEvent>,
): CheckResult {
  const acked = ledger.filter((r) => r.outcome === 'acknowledged')
  const problems: string[] = []
  let ids = 0
  for (const r of acked) {
    if (r.ids.length === 0) problems.push(`${r.label} ${r.key}: acknowledged without event ids`)
    ids += r.ids.length
    const found = r.ids.map((id) => byId.get(id))
    const missing = r.ids.filter((_, i) => !found[i])
    if (missing.length > 0) {
      problems.push(
        `${r.label} ${r.key}: ${missing.length} of ${r.ids.length} events missing (${missing[0]})`,
      )
      continue
    }
    // The stream revisions the answer names are those of its events.
    const named: { stream?: string; revision: number }[] = []
    if (typeof r.answer?.revision === 'number') named.push({ revision: r.answer.revision })
    if (Array.isArray(r.answer?.streams)) named.push(...r.answer.streams)
    for (const n of named)
      if (
        !found.some((e) => e!.revision === n.revision && (n.stream === undefined || e!.stream === n.stream))
      )
        problems.push(
          `${r.label} ${r.key}: answered revision ${n.revision}${n.stream ? ` of ${n.stream}` : ''}, not one of its events`,
        )
  }
  return {
    name: 'every acknowledged command’s events are in the store',
    ok: problems.length === 0,
    detail: `${acked.length} acknowledged commands, ${ids} event ids: ${problems.length === 0 ? 'all stored, at the revisions answered' : `${problems.length} problems:${few(problems)}`}`,
  }
}

interface KeyAccounting {
  explained: Set<string>
  twice: string[]
  beyondAck: string[]
  refusedLeftEvents: string[]
  answerLost: CommandRecord[]
}

function accountKeys(ledger: readonly CommandRecord[], byId: Map<string, RecordedEvent>): KeyAccounting {
  const a: KeyAccounting = {
    explained: new Set(),
    twice: [],
    beyondAck: [],
    refusedLeftEvents: [],
    answerLost: [],
  }
  for (const r of ledger) {
    for (const id of r.ids) a.explained.add(id)
    const found = possibleIds(r)
      .map((id) => byId.get(id))
      .filter((e): e is RecordedEvent => e !== undefined)
    for (const e of found) a.explained.add(e.id)
    if (r.outcome === 'acknowledged') {
      const extra = found.filter((e) => !r.ids.includes(e.id))
      if (extra.length > 0) a.beyondAck.push(`${r.label} ${r.key}: ${extra.length} events beyond its answer`)
      continue
    }
    if (found.length === 0) continue
    // A command with no acknowledgement whose events are stored: its first run committed and the
    // answer was lost (the process died, or the database went away, before it was sent).
    const sets = new Map<string, number>()
    for (const e of found) sets.set(`${e.stream} ${e.type}`, (sets.get(`${e.stream} ${e.type}`) ?? 0) + 1)
    if (r.label !== 'facecheck.batch' && [...sets.values()].some((n) => n > 1))
      a.twice.push(`${r.label} ${r.key}: ${found.length} events, some twice`)
    if (r.uncertain) a.answerLost.push(r)
    else
      a.refusedLeftEvents.push(
        `${r.label} ${r.key}: answered ${r.status} ${r.code ?? ''} with no lost attempt, yet ${found.length} events stored`,
      )
  }
  return a
}

/** Natural keys of the load's events: none may be recorded twice, whatever ids they carry. */
function naturalKey(e: RecordedEvent): string | undefined {
  const d = e.data as Record<string, unknown>
  switch (e.type) {
    case 'InstitutionDesignated':
      return `${e.type} ${d.institution}`
    case 'ClassOpeningApplied':
    case 'PreTrainingReviewDecided':
    case 'ClassOpened':
    case 'ClassClosed':
      return `${e.type} ${e.stream}`
    case 'WorkerEnrolled':
    case 'TrainingCompleted':
    case 'RosterEntryAdded':
      return `${e.type} ${d.worker} ${d.class}`
    case 'FaceCheckRecorded':
      return `${e.type} ${d.worker} ${d.session} ${d.purpose} ${d.checkedAt}`
    case 'DeviceRegistered':
      return `${e.type} ${d.device}`
    case 'CertificateIssued':
      return `${e.type} ${JSON.stringify(d.issuer)} ${d.serial}`
    default:
      return undefined
  }
}

function noEffectTwice(
  ledger: readonly CommandRecord[],
  events: RecordedEvent[],
  byId: Map<string, RecordedEvent>,
  accounting: KeyAccounting,
): CheckResult {
  const seen = new Map<string, number>()
  for (const e of events) {
    const k = naturalKey(e)
    if (k) seen.set(k, (seen.get(k) ?? 0) + 1)
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`)
  const unexplained = events.filter((e) => !accounting.explained.has(e.id) && !backgroundTypes.has(e.type))
  const byType = new Map<string, number>()
  for (const e of unexplained) byType.set(e.type, (byType.get(e.type) ?? 0) + 1)
  const background = events.filter((e) => backgroundTypes.has(e.type)).length
  const problems = [
    ...accounting.twice,
    ...accounting.beyondAck,
    ...accounting.refusedLeftEvents,
    ...duplicates.map((d) => `recorded twice: ${d}`),
    ...[...byType].map(([t, n]) => `${n} ${t} events no command of the load accounts for`),
  ]
  const replays = ledger.filter((r) => r.replayed).length
  return {
    name: 'no effect happened twice',
    ok: problems.length === 0,
    detail:
      `${ledger.length} idempotency keys, ${events.length} events (${events.length - background - unexplained.length} from the load's commands, ${background} written by the system itself: alerts, access records, shipped rule sets), ` +
      `${replays} acknowledgements were replays; ${problems.length === 0 ? 'no key took effect twice, no event beyond its command, no natural key recorded twice' : `${problems.length} problems:${few(problems)}`}` +
      (byId.size !== events.length
        ? ` (feed holds ${events.length} events but ${byId.size} distinct ids)`
        : ''),
  }
}

async function noDuplicateIds(pool: pg.Pool, events: RecordedEvent[]): Promise<CheckResult> {
  const { rows } = await pool.query<{ id: string; n: string }>(
    'select id::text, count(*)::text as n from trec.events group by id having count(*) > 1 limit 10',
  )
  const [{ n: total }] = (await pool.query<{ n: string }>('select count(*)::text as n from trec.events'))
    .rows as [{ n: string }]
  const feedDistinct = new Set(events.map((e) => e.id)).size
  const ok = rows.length === 0 && Number(total) === events.length && feedDistinct === events.length
  return {
    name: 'no duplicate event ids',
    ok,
    detail: `${total} stored events, ${events.length} in the feed, ${feedDistinct} distinct ids${rows.length ? `; duplicated:${few(rows.map((r) => `${r.id} ×${r.n}`))}` : ''}`,
  }
}

async function contiguousRevisions(pool: pg.Pool): Promise<CheckResult> {
  const gaps = await pool.query<{ stream: string; n: string; lo: string; hi: string }>(
    `select stream, count(*)::text as n, min(revision)::text as lo, max(revision)::text as hi from trec.events
     group by stream having count(*) <> max(revision) + 1 or min(revision) <> 0 or count(distinct revision) <> count(*) limit 10`,
  )
  const heads = await pool.query<{ name: string; revision: string; top: string | null }>(
    `select s.name, s.revision::text, e.top::text from trec.streams s
     left join (select stream, max(revision) as top from trec.events group by stream) e on e.stream = s.name
     where e.top is distinct from s.revision limit 10`,
  )
  const [{ n: streams }] = (await pool.query<{ n: string }>('select count(*)::text as n from trec.streams'))
    .rows as [{ n: string }]
  const problems = [
    ...gaps.rows.map((g) => `${g.stream}: ${g.n} events, revisions ${g.lo}–${g.hi}`),
    ...heads.rows.map((h) => `${h.name}: stream at ${h.revision}, last event at ${h.top}`),
  ]
  return {
    name: 'stream revisions are contiguous',
    ok: problems.length === 0,
    detail: `${streams} streams: ${problems.length === 0 ? 'every one 0…n−1 without gaps or repeats, its head at its last event' : few(problems)}`,
  }
}

async function projectionsEqualRebuild(
  pool: pg.Pool,
  store: SqlEventStore,
  log: CheckInputs['log'],
): Promise<CheckResult> {
  const db = pgExecutor(pool)
  const head = await store.lastPosition()
  const schema = 'chaos_rebuild'
  const results: string[] = []
  const problems: string[] = []
  try {
    const plain: Projection[] = [
      archiveProjection,
      complianceProjection({ rules: loadRuleSets(defaultRulesDir) }),
    ]
    for (const projection of plain) {
      const live = new ProjectionRunner(db, projection)
      const status = await live.status()
      const rebuilt = await rebuild(db, store, projection, { schema })
      const same = (await live.digest()) === (await rebuilt.digest())
      const at = status.position >= head
      results.push(`${projection.name} ${same && at ? '=' : '≠'}`)
      if (!same) problems.push(`${projection.name}: digest differs from a rebuild`)
      if (!at) problems.push(`${projection.name}: at position ${status.position}, head ${head}`)
    }
    log('checks: rebuilding the oversight read side from the feed')
    const live = new OversightReadSide({ store, db })
    const rebuilt = new OversightReadSide({ store, db, schema: `${schema}_oversight` })
    await rebuilt.setup()
    await rebuilt.catchUp()
    for (const [i, runner] of live.runners.entries()) {
      const status = await runner.status()
      const same = (await runner.digest()) === (await rebuilt.runners[i]!.digest())
      const name = runner.projection.name
      results.push(`${name} ${same && status.position >= head ? '=' : '≠'}`)
      if (!same) problems.push(`${name}: digest differs from a rebuild`)
      if (status.position < head) problems.push(`${name}: at position ${status.position}, head ${head}`)
    }
    const after = await store.lastPosition()
    if (after !== head) problems.push(`rebuilding oversight appended to the store (head ${head} → ${after})`)
  } finally {
    await pool.query(
      `drop schema if exists ${schema} cascade; drop schema if exists ${schema}_oversight cascade`,
    )
  }
  return {
    name: 'every projection equals a clean rebuild',
    ok: problems.length === 0,
    detail: `${results.length} read models (${results.join(', ')}): ${problems.length === 0 ? 'digests equal, each at the head' : few(problems)}`,
  }
}

async function kafkaHoldsFeed(inputs: CheckInputs, events: RecordedEvent[]): Promise<CheckResult> {
  const kafka = new Kafka({
    clientId: 'trec-chaos-check',
    brokers: inputs.kafka.brokers,
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  const offsets = await admin.fetchTopicOffsets(inputs.kafka.topic)
  await admin.disconnect()
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)
  const consumer = kafka.consumer({ groupId: `chaos-check-${Date.now()}`, maxWaitTimeInMs: 100 })
  const byPartition = new Map<number, bigint[]>()
  const ids = new Set<string>()
  let read = 0
  await consumer.connect()
  await consumer.subscribe({ topic: inputs.kafka.topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      read++
      ids.add(message.headers!['event-id']!.toString())
      const list = byPartition.get(partition) ?? []
      list.push(BigInt(message.headers!['global-position']!.toString()))
      byPartition.set(partition, list)
    },
  })
  const deadline = Date.now() + 120_000
  while (read < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  await consumer.disconnect()
  const feedIds = new Set(events.map((e) => e.id))
  const missing = [...feedIds].filter((id) => !ids.has(id))
  const foreign = [...ids].filter((id) => !feedIds.has(id))
  // At least once, in order per partition: past redeliveries, each new position is above the last.
  let disorder = 0
  for (const positions of byPartition.values()) {
    const seen = new Set<bigint>()
    let top = -1n
    for (const p of positions) {
      if (seen.has(p)) continue
      seen.add(p)
      if (p < top) disorder++
      top = p > top ? p : top
    }
  }
  const ok = read >= total && missing.length === 0 && foreign.length === 0 && disorder === 0
  return {
    name: 'the Kafka topic holds every event, in order per partition',
    ok,
    detail: `${read} of ${total} messages read, ${ids.size} distinct events (${read - ids.size} redelivered), feed ${feedIds.size}: ${missing.length} missing, ${foreign.length} not in the store, ${disorder} out of order${few(missing)}`,
  }
}

async function merkleLogVerifies(inputs: CheckInputs, events: RecordedEvent[]): Promise<CheckResult> {
  const name = 'the Merkle log verifies against the feed'
  if (!inputs.audit)
    return {
      name,
      ok: true,
      skipped: 'this checkout’s app has no audit service (TREC_SERVICES=audit)',
      detail: '',
    }
  const { base, token } = inputs.audit
  const auth = { authorization: `Bearer ${token}` }
  const latest = (await (await fetch(`${base}/v1/audit/checkpoints/latest`, { headers: auth })).json()) as {
    origin: string
    size: number
    rootHash: string
    note: string
    jws: string
  }
  const jwks = (await (await fetch(`${base}/v1/audit/keys.jwks`)).json()) as Parameters<
    typeof KeySet.fromJwks
  >[0]
  const keys = await KeySet.fromJwks(jwks)
  const jws = await verifyCheckpointJws(latest.jws, { origin: latest.origin, keys })
  const note = verifyCheckpointNote(latest.note, { origin: latest.origin, keys })
  const [state] = (
    await inputs.pool.query<{ size: string }>('select size::text from trec_audit.state where id = 1')
  ).rows
  const leaves = (
    await inputs.pool.query<{ id: string }>('select event_id::text as id from trec_audit.leaves order by idx')
  ).rows
  const tree = CompactTree.empty()
  for (const e of events) tree.append(leafHash(Buffer.from(leafText(e), 'utf8')))
  const root = Buffer.from(tree.root()).toString('base64')
  const orderOk = leaves.length === events.length && leaves.every((l, i) => l.id === events[i]!.id)
  const problems = [
    Number(state?.size) !== events.length && `tree size ${state?.size}, feed ${events.length}`,
    latest.size !== events.length && `latest checkpoint of size ${latest.size}, feed ${events.length}`,
    !jws.ok && `checkpoint JWS: ${jws.message}`,
    !note.ok && `checkpoint note: ${note.message}`,
    root !== latest.rootHash && `root from the feed ${root}, checkpoint ${latest.rootHash}`,
    !orderOk && 'leaves are not the feed’s events in feed order',
  ].filter((p): p is string => typeof p === 'string')
  return {
    name,
    ok: problems.length === 0,
    detail: `tree size ${state?.size}, feed ${events.length}, latest signed checkpoint size ${latest.size} root ${latest.rootHash.slice(0, 16)}…: ${problems.length === 0 ? 'signatures (note and JWS) verify with the published keys, the root recomputed from the feed equals it, leaves in feed order' : problems.join('; ')}`,
  }
}

export interface Findings {
  /** Commands that took effect but whose answer was lost, and the answer their retry got. */
  answerLost: { label: string; answered: string }[]
}

export async function runChecks(
  inputs: CheckInputs,
): Promise<{ checks: CheckResult[]; findings: Findings; events: number }> {
  const { log } = inputs
  log('checks: reading the feed')
  const events = await readFeed(inputs.store)
  const byId = new Map(events.map((e) => [e.id, e]))
  const accounting = accountKeys(inputs.ledger, byId)
  const checks: CheckResult[] = []
  const guard = async (name: string, run: () => Promise<CheckResult> | CheckResult) => {
    try {
      checks.push(await run())
    } catch (error) {
      checks.push({
        name,
        ok: false,
        detail: `the check failed to run: ${(error as Error).stack?.slice(0, 600)}`,
      })
    }
    const c = checks[checks.length - 1]!
    log(
      `  ${c.skipped ? 'SKIP' : c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.skipped ? ` (${c.skipped})` : `: ${c.detail}`}`,
    )
  }
  await guard('every acknowledged command’s events are in the store', () =>
    acknowledgedInStore(inputs.ledger, byId),
  )
  await guard('no effect happened twice', () => noEffectTwice(inputs.ledger, events, byId, accounting))
  await guard('no duplicate event ids', () => noDuplicateIds(inputs.pool, events))
  await guard('stream revisions are contiguous', () => contiguousRevisions(inputs.pool))
  await guard('the Kafka topic holds every event, in order per partition', () =>
    kafkaHoldsFeed(inputs, events),
  )
  await guard('the Merkle log verifies against the feed', () => merkleLogVerifies(inputs, events))
  // Last: rebuilding the oversight detectors appends any alert the live ones have not raised
  // (none, once they caught up), which would move the head under the checks above.
  await guard('every projection equals a clean rebuild', () =>
    projectionsEqualRebuild(inputs.pool, inputs.store, log),
  )
  const answerLost = accounting.answerLost.map((r) => ({
    label: r.label,
    answered: r.outcome === 'gave-up' ? `no answer (${r.lastError})` : `${r.status} ${r.code ?? ''}`.trim(),
  }))
  return { checks, findings: { answerLost }, events: events.length }
}
