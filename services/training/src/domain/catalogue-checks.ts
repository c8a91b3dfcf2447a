import type { RuleViolation } from '@trec/command'
import {
  type DatedEntry,
  type ListedInstitution,
  lastDayOf,
  type Programme,
  versionOn,
} from '@trec/contracts'
import { violation } from './rules.ts'

// What the catalogues say about a class on its start day: its programme not withdrawn (清退) and
// in force, and, when the rule set asks it (listedInstitutionsOnly, national practice), its
// institution in force in the 定点培训机构目录. The caller reads the entries; this only judges.

export interface CatalogueFacts {
  /** The class's programme with its history, as the catalogues of its region (or above) have it. */
  programme?: DatedEntry<Programme> | undefined
  /** Set when the rule set in force requires listed institutions: the set and the institution's entries. */
  listing?: { ruleSet: { id: string; version: number }; entries: DatedEntry<ListedInstitution>[] } | undefined
}

const cited = (
  entry: DatedEntry<{ region: string; effectiveFrom: string; effectiveTo?: string | undefined }>,
) => {
  const last = lastDayOf(entry)
  return {
    entry: entry.id,
    region: entry.published.region,
    effectiveFrom: entry.published.effectiveFrom,
    ...(last === undefined ? {} : { effectiveTo: last }),
  }
}

/** The programme withdrawn by the start day (at apply and at opening). */
export function programmeWithdrawn(facts: CatalogueFacts, startDay: string): RuleViolation | undefined {
  const { programme } = facts
  const withdrawal = programme?.withdrawal
  if (!programme || !withdrawal || withdrawal.effectiveFrom > startDay) return undefined
  return violation(
    'programme-withdrawn',
    `the programme was withdrawn (清退) from ${withdrawal.effectiveFrom}`,
    {
      field: 'programme',
      programme: programme.id,
      ...cited(programme),
      withdrawnFrom: withdrawal.effectiveFrom,
      reason: withdrawal.reason,
    },
  )
}

/** The programme not in force on the start day for another reason (not yet, or ended). */
export function programmeNotInForce(facts: CatalogueFacts, startDay: string): RuleViolation | undefined {
  const { programme } = facts
  if (!programme || versionOn(programme, startDay) || programmeWithdrawn(facts, startDay)) return undefined
  return violation('programme-not-in-force', `the programme is not in force on ${startDay}`, {
    field: 'programme',
    programme: programme.id,
    ...cited(programme),
  })
}

/** The institution not listed on the start day, when the rule set requires it. */
export function institutionNotListed(
  facts: CatalogueFacts,
  institution: string,
  startDay: string,
): RuleViolation | undefined {
  const { listing } = facts
  if (!listing || listing.entries.some((e) => versionOn(e, startDay))) return undefined
  return {
    ...violation(
      'institution-not-listed',
      `the institution is not in force in the 定点培训机构目录 on ${startDay}`,
      {
        field: 'institution',
        institution,
        entries: listing.entries.map(cited),
      },
    ),
    ruleSet: listing.ruleSet,
  }
}
