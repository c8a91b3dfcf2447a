import { regionPrefix } from '@trec/contracts'

// Calendar facts are judged in China Standard Time (UTC+8, no daylight saving since 1991): a
// payment made at 2021-03-31T23:30+08:00 belongs to the first quarter, whatever the server's zone.

const chinaOffsetMs = 8 * 60 * 60 * 1000

/** The calendar day in China of an instant with an offset: `YYYY-MM-DD`. */
export function chinaDay(instant: string): string {
  const ms = Date.parse(instant)
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${instant}`)
  return new Date(ms + chinaOffsetMs).toISOString().slice(0, 10)
}

export function chinaYear(instant: string): number {
  return Number(chinaDay(instant).slice(0, 4))
}

/** `YYYYQn` of a day or an instant, in China. */
export function quarterOf(dayOrInstant: string): string {
  const day = dayOrInstant.length === 10 ? dayOrInstant : chinaDay(dayOrInstant)
  return `${day.slice(0, 4)}Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`
}

export const quarterPattern = /^\d{4}Q[1-4]$/

/** Whether `instant` is at or before `cutoff` (both ISO 8601, any offsets). */
export function notAfter(instant: string, cutoff: string): boolean {
  return Date.parse(instant) <= Date.parse(cutoff)
}

/** The day `days` after `day` (`YYYY-MM-DD`). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

export { regionPrefix }

/** Whether the six-digit `region` lies in the area a prefix or a six-digit code names. */
export function inRegion(region: string | undefined, area: string): boolean {
  return region?.startsWith(regionPrefix(area)) === true
}
