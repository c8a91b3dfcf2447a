// Calendar facts in the record are judged in China Standard Time: UTC+8 all year, with no
// daylight saving since 1991, whatever zone the server runs in or offset an instant was written
// with. A payment at 2021-03-31T23:30+08:00 falls on 31 March, in the first quarter.

const chinaOffsetMs = 8 * 3_600_000

/** The calendar day in China (`YYYY-MM-DD`) of an instant: ISO 8601 text, epoch milliseconds or a Date. */
export function chinaDay(instant: string | number | Date): string {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant)
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`)
  return new Date(ms + chinaOffsetMs).toISOString().slice(0, 10)
}

/**
 * The first instant (epoch ms) of a calendar day in China (`YYYY-MM-DD`): an instant `t` has
 * `chinaDay(t) >= day` exactly when `t >= chinaDayStart(day)`, with no date formatting per instant.
 */
export function chinaDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - chinaOffsetMs
}

/** The calendar day `days` after `day` (`YYYY-MM-DD`; before it, when negative). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** The quarter in China, `YYYYQn`, of a calendar day (`YYYY-MM-DD`, taken as is) or an instant. */
export function quarterOf(dayOrInstant: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(dayOrInstant) ? dayOrInstant : chinaDay(dayOrInstant)
  return `${day.slice(0, 4)}Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`
}

/** A quarter as the record and the API spell it: `2021Q2`. */
export const quarterPattern = /^\d{4}Q[1-4]$/
