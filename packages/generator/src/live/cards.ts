import { cardNumberCheckCharacter, validateCardNumber } from '@trec/core'
import type { Random } from '../province/random.ts'

// Social-security card numbers (公民身份号码, GB 11643) for synthetic workers: the district's
// code, a birth date of someone aged 20 to 59 on the reference day, a sequence and the check
// character. Each is checked the way the API checks it, so every generated worker can be enrolled
// and looked up by the card service.

/** A valid, new card number of someone born in `district`; `taken` keeps them unique. */
export function newCardNumber(rng: Random, district: string, taken: Set<string>, today: Date): string {
  const year = today.getUTCFullYear()
  for (;;) {
    const born = new Date(Date.UTC(year - rng.int(20, 59), rng.int(0, 11), rng.int(1, 28)))
    const first17 = `${district}${born.toISOString().slice(0, 10).replaceAll('-', '')}${String(rng.int(1, 999)).padStart(3, '0')}`
    const card = first17 + cardNumberCheckCharacter(first17)
    if (taken.has(card)) continue
    const checked = validateCardNumber(card, { now: today })
    if (!checked.ok) throw new Error(`generated an invalid card number: ${checked.issues[0]?.message}`)
    taken.add(card)
    return card
  }
}
