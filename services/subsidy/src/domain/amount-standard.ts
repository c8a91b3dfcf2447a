import type { ClaimBasis } from './basis.ts'
import type { SubsidyKind } from './claim-facts.ts'
import type { KindRule } from './rule-set.ts'

/**
 * The most a claim of this kind may be for, in fen, or undefined when the rule set has no
 * standard for it (e.g. a level the region does not subsidise).
 *
 * - cap (D2 就业技能培训): 「每人最高不超过2200元」, 「每人最高不超过2500元」 for 紧缺急需 occupations;
 *   a programme the catalogue published for this kind at a lower standard lowers the ceiling.
 * - level (D2 技能提升补贴, 新型学徒制): the sum for the level, raised by the shortage uplift
 *   (D2 「补贴标准可提高10%」), rounded to the fen.
 * - monthly (以工代训): the sum per month times the months of employment the record shows (at
 *   most the rule's period); undefined when it shows none.
 */
export function amountStandard(
  kind: SubsidyKind,
  rule: KindRule,
  basis: ClaimBasis,
  months = 0,
): number | undefined {
  const amount = rule.amount
  if (amount.basis === 'monthly') return months === 0 ? undefined : amount.perMonth * months
  if (amount.basis === 'cap') {
    const ceiling = basis.shortage ? (amount.shortagePerPerson ?? amount.perPerson) : amount.perPerson
    const published = basis.programme?.subsidyKind === kind ? basis.programme.amount : undefined
    return published === undefined ? ceiling : Math.min(ceiling, published)
  }
  if (basis.level === undefined) return undefined
  const base = amount.byLevel[String(basis.level) as '1' | '2' | '3' | '4' | '5']
  if (base === undefined) return undefined
  return basis.shortage && amount.shortageUplift ? Math.round(base * (1 + amount.shortageUplift)) : base
}
