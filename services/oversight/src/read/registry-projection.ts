import { decodeRecordedOnce, type Envelope } from '@trec/contracts'
import type { Projection } from '@trec/projections'
import { type Columns, loadRows, upsertRows } from './sql-rows.ts'

// The registry the investigator's views stand on: institutions, classes and their rosters, claims
// and how each stands, and which workers share a face-check device, a face template or a client
// fingerprint. Workers appear by pseudonym only. Also the population of 双随机 sampling runs.

const registryTypes = new Set<string>([
  'InstitutionDesignated',
  'InstitutionDelisted',
  'ClassOpeningApplied',
  'ClassOpened',
  'ClassClosed',
  'RosterEntryAdded',
  'SubsidyClaimSubmitted',
  'SubsidyClaimReviewed',
  'SubsidyClaimDecided',
  'SubsidyPaid',
  'SubsidyClawedBack',
  'FaceCheckRecorded',
  'OnlineLearningSegmentRecorded',
])

const columns = {
  institutions: {
    id: 'text',
    region: 'text',
    legal_name: 'text',
    designated_from: 'text',
    delisted_from: 'text',
    event: 'text',
  },
  classes: {
    id: 'text',
    institution: 'text',
    programme: 'text',
    region: 'text',
    mode: 'text',
    planned_start: 'text',
    planned_end: 'text',
    applied_event: 'text',
    opened_event: 'text',
    closed_reason: 'text',
    sessions: 'int',
  },
  roster: { class: 'text', worker: 'text', event: 'text' },
  claims: {
    claim: 'text',
    worker: 'text',
    kind: 'text',
    region: 'text',
    class: 'text',
    certificate: 'text',
    occupation: 'text',
    level: 'int',
    amount: 'int8',
    claimed_on: 'text',
    submitted_event: 'text',
    status: 'text',
    paid_event: 'text',
    paid_amount: 'int8',
    clawed_back: 'int8',
  },
  links: { kind: 'text', key: 'text', worker: 'text', first_event: 'text', uses: 'int' },
} satisfies Record<string, Columns>

export interface InstitutionRow {
  id: string
  region: string
  legal_name: string
  designated_from: string
  delisted_from: string | null
  event: string
  [k: string]: unknown
}

export interface ClassRow {
  id: string
  institution: string | null
  programme: string | null
  region: string
  mode: string | null
  planned_start: string | null
  planned_end: string | null
  applied_event: string | null
  opened_event: string | null
  closed_reason: string | null
  sessions: number
  [k: string]: unknown
}

export interface ClaimRow {
  claim: string
  worker: string
  kind: string
  region: string
  class: string | null
  certificate: string | null
  occupation: string | null
  level: number | null
  amount: number
  claimed_on: string
  submitted_event: string
  status: string
  paid_event: string | null
  paid_amount: number
  clawed_back: number
  [k: string]: unknown
}

/** Projection name of the registry. */
export const registryName = 'oversight_registry'

export function registryProjection(): Projection {
  return {
    name: registryName,
    version: 1,
    tables: {
      institutions: `id text primary key, region text not null, legal_name text not null,
        designated_from text not null, delisted_from text, event text not null`,
      classes: `id text primary key, institution text, programme text, region text not null, mode text,
        planned_start text, planned_end text, applied_event text, opened_event text, closed_reason text,
        sessions int not null`,
      roster: 'class text not null, worker text not null, event text not null, primary key (class, worker)',
      claims: `claim text primary key, worker text not null, kind text not null, region text not null,
        class text, certificate text, occupation text, level int, amount int8 not null,
        claimed_on text not null, submitted_event text not null, status text not null, paid_event text,
        paid_amount int8 not null, clawed_back int8 not null`,
      // kind: device | template | fingerprint; `uses` counts the worker's events through it.
      links: `kind text not null, key text not null, worker text not null, first_event text not null,
        uses int not null, primary key (kind, key, worker)`,
      // The same links by worker, for "what did this worker use".
      worker_links:
        'worker text not null, kind text not null, key text not null, primary key (worker, kind, key)',
    },
    async apply(recorded, ctx) {
      const events = recorded.filter((e) => registryTypes.has(e.type)).map((e) => decodeRecordedOnce(e))
      if (events.length === 0) return
      const { query, table } = ctx
      const institutions = await loadRows<InstitutionRow>(
        query,
        table('institutions'),
        'id',
        events.flatMap((e) => (e.type === 'InstitutionDelisted' ? [e.data.institution] : [])),
      )
      const classes = await loadRows<ClassRow>(
        query,
        table('classes'),
        'id',
        events.flatMap((e) =>
          e.type === 'ClassOpeningApplied' || e.type === 'ClassOpened' || e.type === 'ClassClosed'
            ? [e.data.class]
            : [],
        ),
      )
      const claims = await loadRows<ClaimRow>(
        query,
        table('claims'),
        'claim',
        events.flatMap((e) => (e.type.startsWith('Subsidy') ? [(e.data as { claim: string }).claim] : [])),
      )
      const touched = {
        institutions: new Set<string>(),
        classes: new Set<string>(),
        claims: new Set<string>(),
      }
      const roster = new Map<string, Record<string, unknown>>()
      const links = new Map<
        string,
        { kind: string; key: string; worker: string; first_event: string; uses: number }
      >()
      const link = (kind: string, key: string, worker: string, event: string) => {
        const id = `${kind}\n${key}\n${worker}`
        const row = links.get(id)
        if (row) row.uses += 1
        else links.set(id, { kind, key, worker, first_event: event, uses: 1 })
      }
      for (const e of events) applyOne(e, { institutions, classes, claims, touched, roster, link })

      await upsertRows(
        query,
        table('institutions'),
        columns.institutions,
        ['id'],
        [...touched.institutions].map((id) => institutions.get(id)!),
      )
      await upsertRows(
        query,
        table('classes'),
        columns.classes,
        ['id'],
        [...touched.classes].map((id) => classes.get(id)!),
      )
      await upsertRows(
        query,
        table('claims'),
        columns.claims,
        ['claim'],
        [...touched.claims].map((id) => claims.get(id)!),
      )
      await upsertRows(query, table('roster'), columns.roster, ['class', 'worker'], [...roster.values()], {
        event: 't.event',
      })
      await upsertRows(query, table('links'), columns.links, ['kind', 'key', 'worker'], [...links.values()], {
        first_event: 't.first_event',
        uses: 't.uses + excluded.uses',
      })
      await upsertRows(
        query,
        table('worker_links'),
        { worker: 'text', kind: 'text', key: 'text' },
        ['worker', 'kind', 'key'],
        [...links.values()].map(({ worker, kind, key }) => ({ worker, kind, key })),
      )
    },
  }
}

interface Batch {
  institutions: Map<string, InstitutionRow>
  classes: Map<string, ClassRow>
  claims: Map<string, ClaimRow>
  touched: { institutions: Set<string>; classes: Set<string>; claims: Set<string> }
  roster: Map<string, Record<string, unknown>>
  link(kind: string, key: string, worker: string, event: string): void
}

function classRow(b: Batch, id: string, region: string): ClassRow {
  let row = b.classes.get(id)
  if (!row) {
    row = {
      id,
      institution: null,
      programme: null,
      region,
      mode: null,
      planned_start: null,
      planned_end: null,
      applied_event: null,
      opened_event: null,
      closed_reason: null,
      sessions: 0,
    }
    b.classes.set(id, row)
  }
  b.touched.classes.add(id)
  return row
}

function claimRow(b: Batch, id: string): ClaimRow | undefined {
  const row = b.claims.get(id)
  if (row) b.touched.claims.add(id)
  return row
}

function applyOne(e: Envelope, b: Batch): void {
  switch (e.type) {
    case 'InstitutionDesignated': {
      const d = e.data
      b.institutions.set(d.institution, {
        id: d.institution,
        region: d.region,
        legal_name: d.legalName,
        designated_from: d.effectiveFrom,
        delisted_from: b.institutions.get(d.institution)?.delisted_from ?? null,
        event: e.id,
      })
      b.touched.institutions.add(d.institution)
      return
    }
    case 'InstitutionDelisted': {
      const row = b.institutions.get(e.data.institution)
      if (!row) return
      row.delisted_from = e.data.effectiveFrom
      b.touched.institutions.add(row.id)
      return
    }
    case 'ClassOpeningApplied': {
      const d = e.data
      const row = classRow(b, d.class, d.region)
      Object.assign(row, {
        institution: d.institution,
        programme: d.programme,
        region: d.region,
        mode: d.mode,
        planned_start: d.plannedStart,
        planned_end: d.plannedEnd,
        applied_event: e.id,
      })
      return
    }
    case 'ClassOpened': {
      const d = e.data
      const row = classRow(b, d.class, e.region)
      row.institution = d.institution
      row.opened_event = e.id
      row.sessions = d.sessions.length
      for (const worker of d.roster)
        b.roster.set(`${d.class}\n${worker}`, { class: d.class, worker, event: e.id })
      return
    }
    case 'ClassClosed': {
      classRow(b, e.data.class, e.region).closed_reason = e.data.reason
      return
    }
    case 'RosterEntryAdded': {
      const d = e.data
      const id = `${d.class}\n${d.worker}`
      if (!b.roster.has(id)) b.roster.set(id, { class: d.class, worker: d.worker, event: e.id })
      return
    }
    case 'SubsidyClaimSubmitted': {
      const d = e.data
      b.claims.set(d.claim, {
        claim: d.claim,
        worker: d.worker,
        kind: d.kind,
        region: d.region,
        class: d.class ?? null,
        certificate: d.certificate ?? null,
        occupation: d.occupationCode ?? null,
        level: d.level ?? null,
        amount: d.amount,
        claimed_on: d.claimedOn,
        submitted_event: e.id,
        status: 'submitted',
        paid_event: null,
        paid_amount: 0,
        clawed_back: 0,
      })
      b.touched.claims.add(d.claim)
      return
    }
    case 'SubsidyClaimReviewed': {
      const row = claimRow(b, e.data.claim)
      if (row) row.status = e.data.outcome === 'approved' ? 'reviewed' : e.data.outcome
      return
    }
    case 'SubsidyClaimDecided': {
      const row = claimRow(b, e.data.claim)
      if (row) row.status = e.data.outcome
      return
    }
    case 'SubsidyPaid': {
      const row = claimRow(b, e.data.claim)
      if (!row) return
      row.status = 'paid'
      row.paid_event = e.id
      row.paid_amount = Number(row.paid_amount) + e.data.amount
      return
    }
    case 'SubsidyClawedBack': {
      const row = claimRow(b, e.data.claim)
      if (!row) return
      row.clawed_back = Number(row.clawed_back) + e.data.amount
      if (row.clawed_back >= Number(row.paid_amount)) row.status = 'clawed_back'
      return
    }
    case 'FaceCheckRecorded': {
      const d = e.data
      b.link('device', d.device, d.worker, e.id)
      b.link('template', d.templateHash, d.worker, e.id)
      return
    }
    case 'OnlineLearningSegmentRecorded': {
      b.link('fingerprint', e.data.clientFingerprint, e.data.worker, e.id)
      return
    }
  }
}
