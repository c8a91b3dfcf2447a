// Half-open time intervals [start, end) in epoch milliseconds, for counting online-learning time
// once however the platform's segments overlap (two tabs, a replayed heartbeat).

export type Interval = readonly [start: number, end: number]

/** The union of intervals as a sorted list of disjoint, non-touching intervals. Empty ones drop out. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const out: [number, number][] = []
  for (const [s, e] of sorted) {
    const last = out.at(-1)
    if (last && s <= last[1]) last[1] = Math.max(last[1], e)
    else out.push([s, e])
  }
  return out
}

export function totalLength(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, [s, e]) => sum + Math.max(0, e - s), 0)
}

/** The length of the overlap of two sorted lists of disjoint intervals. */
export function overlapLength(a: readonly Interval[], b: readonly Interval[]): number {
  let i = 0
  let j = 0
  let sum = 0
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!
    const [bs, be] = b[j]!
    sum += Math.max(0, Math.min(ae, be) - Math.max(as, bs))
    if (ae < be) i++
    else j++
  }
  return sum
}

/** `interval` cut to `within`, or undefined when they do not overlap. */
export function clip(interval: Interval, within: Interval): Interval | undefined {
  const s = Math.max(interval[0], within[0])
  const e = Math.min(interval[1], within[1])
  return e > s ? [s, e] : undefined
}
