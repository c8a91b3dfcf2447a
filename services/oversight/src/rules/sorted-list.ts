// Lists a rule keeps sorted in its state (R4's checks of a worker, R6's checks of a device),
// kept so check by check instead of sorting the whole list again for each new one.

/**
 * Puts `item` into `list`, kept sorted by `compare`, after any equal to it: where pushing it and
 * sorting again (a stable sort) would.
 */
export function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(list[mid]!, item) <= 0) lo = mid + 1
    else hi = mid
  }
  if (lo === list.length) list.push(item)
  else list.splice(lo, 0, item)
}

/**
 * The items of `list` from the first for which `keep` holds, as `list.filter(keep)` when `keep`
 * holds for every item after the first it holds for (a sorted list cut at a bound); `list`
 * itself when that is all of it, so the common case copies nothing.
 */
export function fromFirst<T>(list: T[], keep: (item: T) => boolean): T[] {
  const from = list.findIndex(keep)
  if (from === 0) return list
  return from < 0 ? [] : list.slice(from)
}
