import type { Member, ProvinceModel } from './model.ts'

// What the fraud injections share: how many cases a rate gives, and which workers, classes and
// institutions are still free, so that each injected case is what its rule should find and
// nothing else.

/** How many cases of a pattern at `rate` of `eligible` units: at least one when the rate is above zero. */
export function casesFor(rate: number | undefined, eligible: number): number {
  if (!rate || rate <= 0 || eligible === 0) return 0
  return Math.min(eligible, Math.max(1, Math.round(rate * eligible)))
}

export class Picker {
  readonly used = new Set<string>()
  readonly usedClasses = new Set<string>()
  /** Institutions joined to another by a shared teacher in an injected case (R5, R12): one such case each. */
  readonly usedInstitutions = new Set<string>()
  /** Devices an injected case runs its checks through (R6's burst): no other case moves checks off them. */
  readonly usedDevices = new Set<string>()
  readonly #model: ProvinceModel
  constructor(model: ProvinceModel) {
    this.#model = model
  }
  /** Members whose worker is not used yet and who are the worker's only class (no repeat). */
  fresh(pred: (m: Member) => boolean): Member[] {
    const repeaters = new Set(this.#model.members.filter((m) => m.repeat).map((m) => m.worker))
    return this.#model.members.filter((m) => !this.used.has(m.worker) && !repeaters.has(m.worker) && pred(m))
  }
  take(list: Member[], n: number): Member[] {
    const chosen = this.#model.rng.sample(list, n)
    for (const m of chosen) this.used.add(m.worker)
    return chosen
  }
}
