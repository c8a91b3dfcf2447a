import type { EventData } from '@trec/contracts'
import { regionPrefix } from '@trec/contracts'
import { type Evidence, type Fact, factsOf, lastFact } from './facts.ts'
import type { RuleSet } from './rule-set.ts'

// What a claim is for, read from the record rather than from the claim: the occupation and level
// of its certificate, else of its class's programme in the 培训项目目录 (docs/domain.md §2 step 0), and
// whether that occupation is on the region's shortage list (D1/D2 急需紧缺工种目录).

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

/** Of the catalogue entries for a programme, the one of the most specific region, latest published. */
function programmeOf(evidence: Evidence, programme: string): EventData<'ProgrammePublished'> | undefined {
  let best: EventData<'ProgrammePublished'> | undefined
  for (const { data } of factsOf(evidence, 'ProgrammePublished')) {
    if (data.programme !== programme) continue
    if (best === undefined || regionPrefix(data.region).length >= regionPrefix(best.region).length)
      best = data
  }
  return best
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
  const programme = classApplied ? programmeOf(evidence, classApplied.data.programme) : undefined
  const occupationCode = certificate?.data.occupationCode ?? programme?.occupationCode
  const level = certificate?.data.level ?? programme?.level
  const shortage =
    occupationCode !== undefined &&
    (onShortageList(rules, occupationCode) ||
      (programme?.shortage === true && programme.occupationCode === occupationCode))
  return {
    ...(occupationCode === undefined ? {} : { occupationCode }),
    ...(level === undefined ? {} : { level }),
    shortage,
    ...(certificate ? { certificate } : {}),
    ...(classApplied ? { classApplied } : {}),
    ...(programme ? { programme } : {}),
  }
}
