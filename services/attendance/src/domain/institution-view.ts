import type { EventData } from '@trec/contracts'
import { chinaDay } from '@trec/core'

// What attendance needs to know about an institution, folded from the training service's
// `institution-{id}` stream: on a given date, is it designated, and as which kinds of provider.
// As the contracts README ("Reading the training streams") defines it: designated on a date
// when its latest `InstitutionDesignated` in force then (effectiveFrom ≤ date, dates in UTC+8)
// is not followed by an `InstitutionDelisted` in force then (清退, D1 「对违反规定的机构立即清退」).

type Entry =
  | { kind: 'designated'; from: string; kinds: readonly string[] }
  | { kind: 'delisted'; from: string }

export interface InstitutionView {
  /** Designations and delistings in stream order. */
  entries: readonly Entry[]
}

export type InstitutionFact =
  | { type: 'InstitutionDesignated'; data: EventData<'InstitutionDesignated'> }
  | { type: 'InstitutionDelisted'; data: EventData<'InstitutionDelisted'> }
  | { type: string & {}; data: unknown }

function entryOf(fact: InstitutionFact): Entry | undefined {
  if (fact.type === 'InstitutionDesignated') {
    const data = fact.data as EventData<'InstitutionDesignated'>
    return { kind: 'designated', from: data.effectiveFrom, kinds: data.kinds }
  }
  if (fact.type === 'InstitutionDelisted')
    return { kind: 'delisted', from: (fact.data as EventData<'InstitutionDelisted'>).effectiveFrom }
  return undefined
}

export function foldInstitutionView(facts: Iterable<InstitutionFact>): InstitutionView {
  const entries: Entry[] = []
  for (const fact of facts) {
    const entry = entryOf(fact)
    if (entry) entries.push(entry)
  }
  return { entries }
}

/** The kinds the institution is designated as on `date` (YYYY-MM-DD, UTC+8), or undefined if it is not designated then. */
export function designationOn(view: InstitutionView, date: string): readonly string[] | undefined {
  let kinds: readonly string[] | undefined
  for (const entry of view.entries) {
    if (entry.from > date) continue
    kinds = entry.kind === 'designated' ? entry.kinds : undefined
  }
  return kinds
}

/** The calendar date of an instant in China Standard Time (UTC+8), as the designation dates are. */
export const chinaDate = (epochMs: number): string => chinaDay(epochMs)
