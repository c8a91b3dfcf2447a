import { regionCovers, regionPrefix } from '@trec/contracts'
// Calendar facts are judged in China Standard Time (`chinaDay` of @trec/core says how).
import { addDays, chinaDay, quarterOf, quarterPattern } from '@trec/core'

export { addDays, chinaDay, quarterOf, quarterPattern }

export function chinaYear(instant: string): number {
  return Number(chinaDay(instant).slice(0, 4))
}

/** Whether `instant` is at or before `cutoff` (both ISO 8601, any offsets). */
export function notAfter(instant: string, cutoff: string): boolean {
  return Date.parse(instant) <= Date.parse(cutoff)
}

export { regionPrefix }

/** Whether the six-digit `region` lies in the area a prefix or a six-digit code names. */
export function inRegion(region: string | undefined, area: string): boolean {
  return region !== undefined && regionCovers(area, region)
}
