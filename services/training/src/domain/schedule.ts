// Session times are instants with offsets; two sessions overlap when each starts before the
// other ends. Touching sessions (one ends as the next starts) do not overlap.

export interface TimeSlot {
  start: string
  end: string
}

export function slotsOverlap(a: TimeSlot, b: TimeSlot): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)
}

/** Index pairs of the sessions of one schedule that overlap, each pair once, in order. */
export function overlapsWithin(slots: readonly TimeSlot[]): [number, number][] {
  const order = slots
    .map((_, i) => i)
    .sort((i, j) => Date.parse(slots[i]!.start) - Date.parse(slots[j]!.start))
  const pairs: [number, number][] = []
  // Sorted by start, a slot can only overlap the ones after it that start before it ends.
  for (let x = 0; x < order.length; x++) {
    const a = slots[order[x]!]!
    for (let y = x + 1; y < order.length && Date.parse(slots[order[y]!]!.start) < Date.parse(a.end); y++) {
      const [i, j] = [order[x]!, order[y]!]
      pairs.push(i < j ? [i, j] : [j, i])
    }
  }
  return pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1])
}

/** The first pair of overlapping sessions between two schedules, if any. */
export function firstOverlap<A extends TimeSlot, B extends TimeSlot>(
  a: readonly A[],
  b: readonly B[],
): [A, B] | undefined {
  for (const x of a) for (const y of b) if (slotsOverlap(x, y)) return [x, y]
  return undefined
}

/** The last instant of a schedule, as epoch milliseconds (−∞ for none). */
export function scheduleEnd(slots: readonly TimeSlot[]): number {
  return Math.max(-Infinity, ...slots.map((s) => Date.parse(s.end)))
}
