import { regionPrefix } from '@trec/contracts'
// Calendar facts are judged in China Standard Time (`chinaDay` of @trec/core says how).
import { chinaDay } from '@trec/core'

export { chinaDay }

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
