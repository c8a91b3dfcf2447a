// Dates in the catalogue and in designations are calendar dates in China. China Standard Time
// is UTC+8 across the country with no daylight saving, so the local date of an instant is its
// UTC date after adding eight hours.

const chinaOffsetMs = 8 * 60 * 60 * 1000

/** The UTC+8 calendar date (`YYYY-MM-DD`) of an instant. */
export function chinaDate(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime()
  return new Date(ms + chinaOffsetMs).toISOString().slice(0, 10)
}

/** Whether `date` lies in `[from, to]`, `to` absent meaning open-ended (ISO dates compare as strings). */
export function dateWithin(date: string, from: string, to: string | undefined): boolean {
  return date >= from && (to === undefined || date <= to)
}
