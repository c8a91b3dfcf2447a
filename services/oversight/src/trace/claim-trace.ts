import { decodeRecorded, type Envelope } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { feedLane, type ProjectionRunner } from '@trec/projections'
import type { AlertRow } from '../read/alerts-projection.ts'
import type { ClaimRow, ClassRow, InstitutionRow } from '../read/registry-projection.ts'

// The investigator's trace of one claim (docs/architecture.md, "is this claim real? who else was in
// that class? same face on two cards?"): the claim and its payments; each piece of evidence a
// payment names, found in the record with where it sits in the log and whether it was there
// before the payment; the class and the institution; the other workers who share the class, a
// face-check device, a face template or a client fingerprint; and the alerts on any of them.
// Workers appear by pseudonym only, and no sealed field is read.

export interface TraceDeps {
  store: EventStore
  db: SqlExecutor
  registry: ProjectionRunner
  alerts: ProjectionRunner
}

const maxShared = 500

function brief(e: Envelope) {
  return {
    id: e.id,
    type: e.type,
    stream: e.stream,
    revision: e.revision,
    position: e.position.toString(),
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
  }
}

async function readStreams(store: EventStore, streams: readonly string[]): Promise<Map<string, Envelope>> {
  const byId = new Map<string, Envelope>()
  for (const stream of new Set(streams))
    for (const recorded of await store.readStream(stream)) {
      const e = decodeRecorded(recorded)
      byId.set(e.id, e)
    }
  return byId
}

function catalogueStreams(region: string): string[] {
  return [...new Set([region, `${region.slice(0, 4)}00`, `${region.slice(0, 2)}0000`])].map(
    (r) => `catalogue-${r}`,
  )
}

async function sharing(deps: TraceDeps, worker: string, kind: string) {
  const links = deps.registry.table('links')
  const mine = await deps.db.query<{ key: string }>(
    `select key from ${deps.registry.table('worker_links')} where worker = $1 and kind = $2 order by key`,
    [worker, kind],
  )
  const out: { key: string; workers: string[]; total: number }[] = []
  for (const { key } of mine) {
    const others = await deps.db.query<{ worker: string }>(
      `select worker from ${links} where kind = $1 and key = $2 and worker <> $3 order by worker limit ${maxShared}`,
      [kind, key, worker],
    )
    const [count] = await deps.db.query<{ n: string | number }>(
      `select count(*) as n from ${links} where kind = $1 and key = $2 and worker <> $3`,
      [kind, key, worker],
    )
    out.push({ key, workers: others.map((o) => o.worker), total: Number(count?.n ?? 0) })
  }
  return out
}

export async function claimRow(
  deps: Pick<TraceDeps, 'db' | 'registry'>,
  claim: string,
): Promise<ClaimRow | undefined> {
  const [row] = await deps.db.query<ClaimRow>(
    `select * from ${deps.registry.table('claims')} where claim = $1`,
    [claim],
  )
  return row
}

export async function traceClaim(deps: TraceDeps, row: ClaimRow) {
  const { db, registry } = deps
  const worker = row.worker
  const [cls] = row.class
    ? await db.query<ClassRow>(`select * from ${registry.table('classes')} where id = $1`, [row.class])
    : []
  const institutionId = cls?.institution ?? undefined
  const [institution] = institutionId
    ? await db.query<InstitutionRow>(`select * from ${registry.table('institutions')} where id = $1`, [
        institutionId,
      ])
    : []

  const byId = await readStreams(deps.store, [
    `subsidy-${worker}`,
    `training-${worker}`,
    `attendance-${worker}`,
    `assessment-${worker}`,
    ...(cls ? [`class-${cls.id}`, ...catalogueStreams(cls.region)] : []),
    ...(institution ? [`institution-${institution.id}`] : []),
  ])
  const lifecycle = [...byId.values()]
    .filter((e) => e.stream === `subsidy-${worker}` && (e.data as { claim?: string }).claim === row.claim)
    .sort((a, b) => (a.position < b.position ? -1 : 1))
  const payments = lifecycle.flatMap((e) => {
    if (e.type !== 'SubsidyPaid') return []
    const found = e.data.evidence.flatMap((id) => {
      const ev = byId.get(id)
      return ev ? [{ ...brief(ev), inLogBeforePayment: ev.position < e.position }] : []
    })
    const unresolved = e.data.evidence.filter((id) => !byId.has(id))
    return [
      {
        event: e.id,
        position: e.position.toString(),
        occurredAt: e.occurredAt,
        amount: e.data.amount,
        payee: e.data.payee,
        ruleSet: e.data.ruleSet,
        paymentRef: e.data.paymentRef,
        evidence: found,
        unresolvedEvidence: unresolved,
        evidenceByType: found.reduce<Record<string, number>>((acc, x) => {
          acc[x.type] = (acc[x.type] ?? 0) + 1
          return acc
        }, {}),
      },
    ]
  })

  const classmates = cls
    ? (
        await db.query<{ worker: string }>(
          `select worker from ${registry.table('roster')} where class = $1 and worker <> $2 order by worker limit ${maxShared}`,
          [cls.id, worker],
        )
      ).map((r) => r.worker)
    : []
  const devices = await sharing(deps, worker, 'device')
  const templates = await sharing(deps, worker, 'template')
  const fingerprints = await sharing(deps, worker, 'fingerprint')

  const subjects: [string, string][] = [
    ['worker', worker],
    ['claim', row.claim],
    ...(cls ? ([['class', cls.id]] as [string, string][]) : []),
    ...(institution ? ([['institution', institution.id]] as [string, string][]) : []),
    ...devices.map((d) => ['device', d.key] as [string, string]),
    ...templates.map((t) => ['template', t.key] as [string, string]),
    ...fingerprints.map((f) => ['fingerprint', f.key] as [string, string]),
  ]
  const ownEvents = lifecycle.map((e) => e.id)
  const alerts = await db.query<AlertRow>(
    `select * from ${deps.alerts.table('alerts')}
     where (subject_kind || ':' || subject_id) = any($1::text[]) or evidence ?| $2::text[]
     order by position`,
    [subjects.map(([k, i]) => `${k}:${i}`), ownEvents],
  )
  const [registryAt, alertsAt] = [await registry.checkpoint(), await deps.alerts.checkpoint()]
  return {
    claim: {
      claim: row.claim,
      worker,
      kind: row.kind,
      region: row.region,
      amount: Number(row.amount),
      status: row.status,
      claimedOn: row.claimed_on,
      occupationCode: row.occupation,
      level: row.level,
      class: row.class,
      certificate: row.certificate,
      paidAmount: Number(row.paid_amount),
      clawedBack: Number(row.clawed_back),
    },
    events: lifecycle.map(brief),
    payments,
    class: cls
      ? {
          class: cls.id,
          institution: cls.institution,
          programme: cls.programme,
          region: cls.region,
          mode: cls.mode,
          plannedStart: cls.planned_start,
          plannedEnd: cls.planned_end,
          sessions: cls.sessions,
          closed: cls.closed_reason,
          rosterSize: classmates.length + 1,
        }
      : null,
    institution: institution
      ? {
          institution: institution.id,
          legalName: institution.legal_name,
          region: institution.region,
          designatedFrom: institution.designated_from,
          delistedFrom: institution.delisted_from,
        }
      : null,
    sharing: {
      classmates,
      devices: devices.map((d) => ({ device: d.key, workers: d.workers, total: d.total })),
      templates: templates.map((t) => ({ templateHash: t.key, workers: t.workers, total: t.total })),
      fingerprints: fingerprints.map((f) => ({
        clientFingerprint: f.key,
        workers: f.workers,
        total: f.total,
      })),
    },
    alerts: alerts.map((a) => ({
      alert: a.alert,
      rule: a.rule,
      ruleVersion: a.rule_version,
      subject: { kind: a.subject_kind, id: a.subject_id },
      summary: a.summary,
      status: a.status,
      raisedAt: a.raised_at,
    })),
    asOf: {
      registryPosition: registryAt.lanes[feedLane] ?? '0',
      alertsPosition: alertsAt.lanes[feedLane] ?? '0',
    },
  }
}

export type ClaimTrace = Awaited<ReturnType<typeof traceClaim>>
