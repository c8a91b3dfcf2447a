// Lists a rule keeps sorted in its state (R4's checks of a worker, R6's checks of a device),
// kept so check by check instead of sorting the whole list again for each new one.

/**
 * Puts `item` into `list`, kept sorted by `compare`, after any equal to it: where pushing it and
 * sorting again (a stable sort) would.
 */
export function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  const at = firstWhere(list, (other) => compare(other, item) > 0)
  if (at === list.length) list.push(item)
  else list.splice(at, 0, item)
}

/**
 * The index of the first item of `list` for which `test` holds (`list.length` if none), when
 * `test` holds for every item after the first it holds for: a binary search.
 */
export function firstWhere<T>(list: readonly T[], test: (item: T) => boolean): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (test(list[mid]!)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The items of `list` from the first for which `keep` holds, as `list.filter(keep)` when `keep`
 * holds for every item after the first it holds for (a sorted list cut at a bound); `list`
 * itself when that is all of it, so the common case copies nothing.
 */
export function fromFirst<T>(list: T[], keep: (item: T) => boolean): T[] {
  const from = firstWhere(list, keep)
  return from === 0 ? list : list.slice(from)
}
