import type { EventData } from '../registry.ts'

// The one reading of an effective-dated catalogue entry (docs/domain.md, "Catalogues"): what was
// published, each 动态调整 after it and a 清退, folded into its versions. A version runs from its
// own effectiveFrom to the day before the next version starts, or to the entry's last day (its
// published effectiveTo, or the day before its withdrawal). Pure: training decides with it, the
// subsidy gate and the assessment service read the standard and the lists in force with it.

/** What every entry's published data carries. */
export interface DatedTerms {
  region: string
  effectiveFrom: string
  effectiveTo?: string | undefined
}

export interface Adjustment<D> {
  effectiveFrom: string
  changes: Partial<D>
  reason: string
}

export interface Withdrawal {
  effectiveFrom: string
  reason: string
  note?: string | undefined
}

/** One entry with its history, never rewritten: the publication, then adjustments, then a withdrawal. */
export interface DatedEntry<D extends DatedTerms> {
  id: string
  published: D
  adjustments: Adjustment<D>[]
  withdrawal?: Withdrawal
}

/** A region's catalogues are its own and those of the divisions above it. */
/** The code and the divisions above it, nearest first: 130102 → [130102, 130100, 130000]. */
export function regionChain(code: string): string[] {
  const chain = [code]
  const city = `${code.slice(0, 4)}00`
  const province = `${code.slice(0, 2)}0000`
  if (!chain.includes(city)) chain.push(city)
  if (!chain.includes(province)) chain.push(province)
  return chain
}

/** The day before an ISO date. */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/** The last day the entry is in force, or undefined when open-ended. */
export function lastDayOf(entry: DatedEntry<DatedTerms>): string | undefined {
  const end = entry.published.effectiveTo
  if (entry.withdrawal === undefined) return end
  const before = dayBefore(entry.withdrawal.effectiveFrom)
  return end === undefined || before < end ? before : end
}

/** The versions of an entry in order, each dated with its own period (empty periods left out). */
export function versionsOf<D extends DatedTerms>(entry: DatedEntry<D>): D[] {
  const last = lastDayOf(entry)
  const versions: D[] = []
  let terms: D = entry.published
  const starts = [entry.published.effectiveFrom, ...entry.adjustments.map((a) => a.effectiveFrom)]
  starts.forEach((from, i) => {
    if (i > 0) terms = { ...terms, ...entry.adjustments[i - 1]!.changes }
    const next = starts[i + 1]
    const to =
      next === undefined ? last : last === undefined || dayBefore(next) < last ? dayBefore(next) : last
    if (to !== undefined && to < from) return
    const { effectiveTo: _, ...rest } = terms
    versions.push({ ...rest, effectiveFrom: from, ...(to === undefined ? {} : { effectiveTo: to }) } as D)
  })
  return versions
}

/** The version in force on a day, or undefined (not yet, ended, or withdrawn). */
export function versionOn<D extends DatedTerms>(entry: DatedEntry<D>, date: string): D | undefined {
  return versionsOf(entry).find(
    (v) => date >= v.effectiveFrom && (v.effectiveTo === undefined || date <= v.effectiveTo),
  )
}

/** The entry over its whole life: its latest terms, from its first day to its last. */
export function spanOf<D extends DatedTerms>(entry: DatedEntry<D>): D {
  const versions = versionsOf(entry)
  const latest = versions.at(-1) ?? entry.published
  const last = lastDayOf(entry)
  const { effectiveTo: _, ...rest } = latest
  return {
    ...rest,
    effectiveFrom: entry.published.effectiveFrom,
    ...(last === undefined ? {} : { effectiveTo: last }),
  } as D
}

/** The four catalogues of a region and the events that write them. */
export type Programme = EventData<'ProgrammePublished'>
export type ListedInstitution = EventData<'ListedInstitutionPublished'>
export type EvaluationBody = EventData<'EvaluationBodyPublished'>
export type ShortageOccupation = EventData<'ShortageOccupationPublished'>

export interface Catalogues {
  programmes: DatedEntry<Programme>[]
  institutions: DatedEntry<ListedInstitution>[]
  evaluationBodies: DatedEntry<EvaluationBody>[]
  shortageOccupations: DatedEntry<ShortageOccupation>[]
}

export type CatalogueName = keyof Catalogues

export const catalogueNames = [
  'programmes',
  'institutions',
  'evaluationBodies',
  'shortageOccupations',
] as const satisfies readonly CatalogueName[]

/** The event types of each catalogue: published, adjusted, withdrawn. */
export const catalogueEventTypes = {
  programmes: ['ProgrammePublished', 'ProgrammeAdjusted', 'ProgrammeWithdrawn'],
  institutions: ['ListedInstitutionPublished', 'ListedInstitutionAdjusted', 'ListedInstitutionWithdrawn'],
  evaluationBodies: ['EvaluationBodyPublished', 'EvaluationBodyAdjusted', 'EvaluationBodyWithdrawn'],
  shortageOccupations: [
    'ShortageOccupationPublished',
    'ShortageOccupationAdjusted',
    'ShortageOccupationWithdrawn',
  ],
} as const satisfies Record<CatalogueName, readonly [string, string, string]>

type CatalogueEventType = (typeof catalogueEventTypes)[CatalogueName][number]
export type CatalogueEvent = {
  [T in CatalogueEventType]: { type: T; data: EventData<T> }
}[CatalogueEventType]

export const emptyCatalogues = (): Catalogues => ({
  programmes: [],
  institutions: [],
  evaluationBodies: [],
  shortageOccupations: [],
})

const byType = new Map<string, [CatalogueName, 0 | 1 | 2]>(
  catalogueNames.flatMap((name) =>
    catalogueEventTypes[name].map((t, i) => [t, [name, i as 0 | 1 | 2]] as const),
  ),
)

/** The id an event of a catalogue names its entry by. */
export const entryIdOf = (data: { programme: string } | { entry: string }): string =>
  'programme' in data ? data.programme : data.entry

/** Whether an event type is one of the catalogues'. */
export const isCatalogueEvent = (event: { type: string }): event is CatalogueEvent => byType.has(event.type)

/** Folds one catalogue event into the catalogues (other events leave them as they are). */
export function evolveCatalogues(state: Catalogues, event: { type: string; data: unknown }): Catalogues {
  const found = byType.get(event.type)
  if (!found) return state
  const [name, step] = found
  const data = event.data as DatedTerms & ({ programme: string } | { entry: string })
  const id = entryIdOf(data)
  const entries = state[name] as DatedEntry<DatedTerms>[]
  if (step === 0) return { ...state, [name]: [...entries, { id, published: data, adjustments: [] }] }
  const change = (e: DatedEntry<DatedTerms>): DatedEntry<DatedTerms> => {
    if (e.id !== id) return e
    if (step === 1) {
      const a = data as unknown as Adjustment<DatedTerms>
      return {
        ...e,
        adjustments: [
          ...e.adjustments,
          { effectiveFrom: a.effectiveFrom, changes: a.changes, reason: a.reason },
        ],
      }
    }
    const w = data as unknown as Withdrawal
    return {
      ...e,
      withdrawal: {
        effectiveFrom: w.effectiveFrom,
        reason: w.reason,
        ...(w.note === undefined ? {} : { note: w.note }),
      },
    }
  }
  return { ...state, [name]: entries.map(change) }
}

/** The entry with an id among catalogues (a region's and those above it, nearest first). */
export function findEntry<N extends CatalogueName>(
  catalogues: readonly Catalogues[],
  name: N,
  id: string,
): Catalogues[N][number] | undefined {
  for (const c of catalogues) {
    const found = (c[name] as Catalogues[N][number][]).find((e) => e.id === id)
    if (found) return found
  }
  return undefined
}
