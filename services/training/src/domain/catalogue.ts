import { check, type Decider } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { violation } from './rules.ts'
import { dateWithin } from './time.ts'

// A region's 培训项目目录 (`catalogue-{region}`): subsidised programmes with their standard, each
// in force from a date to a date (D2 「目录清单管理」, amounts such as 「每人最高不超过2200元」).
// Two entries for the same region, occupation, level and subsidy kind may not be in force on the
// same day, so the standard that applies to a training on a date is never ambiguous.

export type Programme = EventData<'ProgrammePublished'>
export type CatalogueEvent = { type: 'ProgrammePublished'; data: Programme }
export interface CatalogueState {
  programmes: Programme[]
}
export type CatalogueCommand = { kind: 'publish'; data: Programme }

/** Whether two validity intervals share a day (an absent end is open-ended). */
export function validityOverlaps(a: Programme, b: Programme): boolean {
  const aEnds = a.effectiveTo ?? '9999-12-31'
  const bEnds = b.effectiveTo ?? '9999-12-31'
  return a.effectiveFrom <= bEnds && b.effectiveFrom <= aEnds
}

function sameEntry(a: Programme, b: Programme): boolean {
  return (
    a.region === b.region &&
    a.occupationCode === b.occupationCode &&
    a.level === b.level &&
    a.subsidyKind === b.subsidyKind
  )
}

export function inForceOn(programme: Programme, date: string): boolean {
  return dateWithin(date, programme.effectiveFrom, programme.effectiveTo)
}

/** Finds a programme by id in catalogues (e.g. a region's and those above it). */
export function findProgramme(catalogues: readonly CatalogueState[], id: string): Programme | undefined {
  for (const catalogue of catalogues) {
    const found = catalogue.programmes.find((p) => p.programme === id)
    if (found) return found
  }
  return undefined
}

export const catalogueDecider: Decider<CatalogueState, CatalogueCommand, CatalogueEvent> = {
  initialState: () => ({ programmes: [] }),
  evolve: (state, event) => ({ programmes: [...state.programmes, event.data] }),
  decide(command, state) {
    const clash = state.programmes.find(
      (p) => sameEntry(p, command.data) && validityOverlaps(p, command.data),
    )
    check(
      clash !== undefined &&
        violation(
          'programme-validity-overlap',
          'another programme for this entry is in force on some of these days',
          {
            programme: clash.programme,
            effectiveFrom: clash.effectiveFrom,
            ...(clash.effectiveTo === undefined ? {} : { effectiveTo: clash.effectiveTo }),
          },
        ),
    )
    return [{ type: 'ProgrammePublished', data: command.data }]
  },
}
