import {
  type Catalogues,
  type DatedEntry,
  type EventData,
  emptyCatalogues,
  evolveCatalogues,
  isCatalogueEvent,
  regionPrefix,
  versionOn,
} from '@trec/contracts'
import { type Evidence, type Fact, lastFact } from './facts.ts'
import type { RuleSet } from './rule-set.ts'

// What a claim is for, read from the record rather than from the claim: the occupation and level
// of its certificate, else of its class's programme in the 培训项目目录 as in force on the class's first day
// (docs/domain.md §2 step 0, "Catalogues"), and whether that occupation is on the region's shortage
// list (D1/D2 急需紧缺工种目录): the rule set's codes, the programme's flag, or the 紧缺职业（工种）目录.

export interface ClaimRef {
  class?: string | undefined
  certificate?: string | undefined
}

export interface ClaimBasis {
  occupationCode?: string
  level?: number
  shortage: boolean
  certificate?: Fact<'CertificateIssued'>
  classApplied?: Fact<'ClassOpeningApplied'>
  programme?: EventData<'ProgrammePublished'>
}

/** The catalogues the evidence holds (the class's region and the divisions above it), folded once. */
const cataloguesOf = (evidence: Evidence): Catalogues =>
  evidence.facts.filter(isCatalogueEvent).reduce(evolveCatalogues, emptyCatalogues())

/**
 * Of the catalogue entries for a programme, the one of the most specific region, as in force on
 * `day` (a 动态调整 changes the standard from its day on); as first published when no version is
 * in force that day, or no day is known.
 */
function programmeOf(
  catalogues: Catalogues,
  programme: string,
  day: string | undefined,
): EventData<'ProgrammePublished'> | undefined {
  let best: DatedEntry<EventData<'ProgrammePublished'>> | undefined
  for (const entry of catalogues.programmes) {
    if (entry.id !== programme) continue
    if (
      best === undefined ||
      regionPrefix(entry.published.region).length >= regionPrefix(best.published.region).length
    )
      best = entry
  }
  if (best === undefined) return undefined
  return (day === undefined ? undefined : versionOn(best, day)) ?? best.published
}

/** Whether the 紧缺职业（工种）目录 of the region (or above) lists the occupation (and level) on `day`. */
function onShortageCatalogue(
  catalogues: Catalogues,
  occupationCode: string,
  level: number | undefined,
  day: string,
) {
  return catalogues.shortageOccupations.some(
    (e) =>
      e.published.occupationCode === occupationCode &&
      (e.published.level === undefined || e.published.level === level) &&
      versionOn(e, day) !== undefined,
  )
}

/** An occupation code is on the list when an entry is the code itself or one of its parents. */
export function onShortageList(rules: RuleSet, occupationCode: string): boolean {
  return rules.shortageOccupations.codes.some(
    (c) => occupationCode === c || occupationCode.startsWith(`${c}-`),
  )
}

export function claimBasis(claim: ClaimRef, evidence: Evidence, rules: RuleSet): ClaimBasis {
  const certificate = claim.certificate
    ? lastFact(evidence, 'CertificateIssued', (c) => c.certificate === claim.certificate)
    : undefined
  const classApplied = claim.class
    ? lastFact(evidence, 'ClassOpeningApplied', (c) => c.class === claim.class)
    : undefined
  const catalogues = cataloguesOf(evidence)
  const day = classApplied?.data.plannedStart
  const programme = classApplied ? programmeOf(catalogues, classApplied.data.programme, day) : undefined
  const occupationCode = certificate?.data.occupationCode ?? programme?.occupationCode
  const level = certificate?.data.level ?? programme?.level
  const shortage =
    occupationCode !== undefined &&
    (onShortageList(rules, occupationCode) ||
      (programme?.shortage === true && programme.occupationCode === occupationCode) ||
      (day !== undefined && onShortageCatalogue(catalogues, occupationCode, level, day)))
  return {
    ...(occupationCode === undefined ? {} : { occupationCode }),
    ...(level === undefined ? {} : { level }),
    shortage,
    ...(certificate ? { certificate } : {}),
    ...(classApplied ? { classApplied } : {}),
    ...(programme ? { programme } : {}),
  }
}
