import { type exportSelectionSchema, underPrefix } from '@trec/contracts'
import { utcInstant } from '@trec/core'
import type { z } from 'zod'

// What an export selects, and whether an event belongs to it. The server selects with these
// rules (through the `refs` index the notary fills, see notary/refs.ts) and the offline verifier
// checks every exported event against them, so an event slipped into an export is caught.
// Besides the events a selection names, an export holds the evidence they cite (transitively)
// and, for a worker, the facts the lifelong archive reads about the worker's classes
// (class application, programme, institution).

export type Selection = z.output<typeof exportSelectionSchema>

export const pseudonymPattern = /^[0-9a-f]{32}$/
/** Stream categories whose id is a worker's pseudonym (docs/architecture.md, "Streams"). */
export const workerCategories: ReadonlySet<string> = new Set([
  'training',
  'attendance',
  'assessment',
  'subsidy',
  'access',
])
/** Stream categories whose id is a class. */
export const classCategories: ReadonlySet<string> = new Set(['class', 'advance'])
/** The class, programme and institution facts the worker archive reads (@trec/readmodels). */
export const workerReferenceTypes: ReadonlySet<string> = new Set([
  'ClassOpeningApplied',
  'ProgrammePublished',
  'InstitutionDesignated',
])

/** The part of an envelope selection rules read. */
export interface SelectableEvent {
  stream: string
  type: string
  data: unknown
  metadata: unknown
}

export function splitStream(stream: string): { category: string; id: string } {
  const dash = stream.indexOf('-')
  return { category: stream.slice(0, dash), id: stream.slice(dash + 1) }
}

/** The worker an event is about: `data.worker`, else the id of a worker-keyed stream. */
export function workersOf(event: SelectableEvent): string[] {
  const out: string[] = []
  const w = (event.data as { worker?: unknown } | null)?.worker
  if (typeof w === 'string' && pseudonymPattern.test(w)) out.push(w)
  const { category, id } = splitStream(event.stream)
  if (workerCategories.has(category) && pseudonymPattern.test(id) && id !== w) out.push(id)
  return out
}

export function classesOf(event: SelectableEvent): string[] {
  const out: string[] = []
  const c = (event.data as { class?: unknown } | null)?.class
  if (typeof c === 'string' && c.length > 0) out.push(c)
  const { category, id } = splitStream(event.stream)
  if (classCategories.has(category) && id !== c) out.push(id)
  return out
}

export function claimOf(event: SelectableEvent): string | undefined {
  const l = (event.data as { claim?: unknown } | null)?.claim
  return typeof l === 'string' && l.length > 0 ? l : undefined
}

export function regionOf(event: SelectableEvent): string | undefined {
  const r = (event.metadata as { region?: unknown } | null)?.region
  return typeof r === 'string' && /^\d{6}$/.test(r) ? r : undefined
}

/** `metadata.occurredAt` in milliseconds since the epoch, when it is an instant. */
export function occurredAtOf(event: SelectableEvent): number | undefined {
  const at = (event.metadata as { occurredAt?: unknown } | null)?.occurredAt
  const ms = typeof at === 'string' ? (utcInstant(at) ?? Date.parse(at)) : Number.NaN
  return Number.isNaN(ms) ? undefined : ms
}

/** Event ids an event cites as evidence (`data.evidence`). */
export function citedBy(event: { data: unknown }): string[] {
  const evidence = (event.data as { evidence?: unknown } | null)?.evidence
  return Array.isArray(evidence) ? evidence.filter((id): id is string => typeof id === 'string') : []
}

const periods = new WeakMap<Selection, [number, number]>()

/** Does the event belong to the selection by the selection's own rule (not as evidence)? */
export function isSelected(selection: Selection, event: SelectableEvent): boolean {
  switch (selection.kind) {
    case 'worker':
      return workersOf(event).includes(selection.worker) || workerReferenceTypes.has(event.type)
    case 'claim':
      return claimOf(event) === selection.claim
    case 'class':
      return classesOf(event).includes(selection.class)
    case 'region': {
      let period = periods.get(selection)
      if (!period) {
        period = [Date.parse(selection.from), Date.parse(selection.to)]
        periods.set(selection, period)
      }
      const region = regionOf(event)
      if (region === undefined || !underPrefix(region, selection.region)) return false
      const at = occurredAtOf(event)
      return at !== undefined && at >= period[0] && at < period[1]
    }
  }
}
