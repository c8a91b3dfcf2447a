import type { EventStore } from '@trec/eventstore'
import { classesOf, type Selection, workerReferenceTypes } from '../selection.ts'
import type { AuditDb, EventAt, LeafRow } from '../sql/audit-db.ts'
import { readLeafEvents } from './events.ts'

// Which leaves an export holds (selection.ts has the rules; the verifier checks them): the
// leaves the selection names, for a worker the class, programme and institution facts the
// lifelong archive reads, and the evidence all of them cite, transitively, so every citation can
// be checked inside the export. Only leaves below the checkpoint's size.

export async function selectLeaves(
  log: AuditDb,
  store: EventStore,
  selection: Selection,
  size: number,
): Promise<LeafRow[]> {
  let leaves: LeafRow[]
  switch (selection.kind) {
    case 'worker':
      leaves = await log.leavesAbout('worker', selection.worker, size)
      leaves = merge(leaves, await workerReferences(log, store, leaves, size))
      break
    case 'claim':
      leaves = await log.leavesAbout('claim', selection.claim, size)
      break
    case 'class':
      leaves = await log.leavesAbout('class', selection.class, size)
      break
    case 'region':
      leaves = await log.leavesByRegion(selection.region, selection.from, selection.to, size)
      break
  }
  // The evidence closure: what the leaves cite, then what that cites, until nothing new.
  const seen = new Set(leaves.map((l) => l.eventId))
  let frontier = leaves
  while (frontier.length > 0) {
    const cited = (await log.citedBy(frontier.map((l) => l.idx))).filter((id) => !seen.has(id))
    frontier = await log.leavesOfEvents(cited, size)
    for (const l of frontier) seen.add(l.eventId)
    leaves = merge(leaves, frontier)
  }
  return leaves
}

function merge(a: readonly LeafRow[], b: readonly LeafRow[]): LeafRow[] {
  const byIdx = new Map<number, LeafRow>()
  for (const l of [...a, ...b]) byIdx.set(l.idx, l)
  return [...byIdx.values()].sort((x, y) => x.idx - y.idx)
}

/** A programme as published, adjusted (动态调整) and withdrawn (清退): the versions the subsidy gate read. */
const programmeFacts = new Set(['ProgrammePublished', 'ProgrammeAdjusted', 'ProgrammeWithdrawn'])

/** The ClassOpeningApplied, programme (see programmeFacts) and InstitutionDesignated facts of the worker's classes. */
async function workerReferences(
  log: AuditDb,
  store: EventStore,
  leaves: readonly LeafRow[],
  size: number,
): Promise<LeafRow[]> {
  const classes = new Set<string>()
  const institutions = new Set<string>()
  for (const event of await readLeafEvents(store, leaves)) {
    for (const c of classesOf(event)) classes.add(c)
    const institution = (event.data as { institution?: unknown }).institution
    if (typeof institution === 'string') institutions.add(institution)
  }
  const facts: EventAt[] = []
  const programmes = new Map<string, string>()
  for (const c of classes) {
    for (const e of await store.readStream(`class-${c}`).catch(() => [])) {
      if (e.type !== 'ClassOpeningApplied') continue
      facts.push(e)
      const { programme, region, institution } = e.data as Record<string, unknown>
      if (typeof programme === 'string' && typeof region === 'string') programmes.set(programme, region)
      if (typeof institution === 'string') institutions.add(institution)
    }
  }
  for (const [programme, region] of programmes) {
    // A programme of a region covers the regions below it: look where it can have been published.
    const candidates = new Set([region, `${region.slice(0, 4)}00`, `${region.slice(0, 2)}0000`])
    for (const r of candidates)
      for (const e of await store.readStream(`catalogue-${r}`).catch(() => []))
        if (programmeFacts.has(e.type) && (e.data as { programme?: unknown }).programme === programme)
          facts.push(e)
  }
  for (const i of institutions)
    for (const e of await store.readStream(`institution-${i}`).catch(() => []))
      if (workerReferenceTypes.has(e.type)) facts.push(e)
  return log.leavesAt(facts, size)
}
