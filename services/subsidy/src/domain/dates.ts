// Calendar days as the authorities count them: in China (`chinaDay` of @trec/core).
import { chinaDay } from '@trec/core'

export { chinaDay }

export const yearOf = (day: string): string => day.slice(0, 4)

/**
 * The same day `months` later; a day the later month lacks becomes its last day (2024-01-31 + 1
 * month → 2024-02-29), as a deadline "within N months" is read.
 */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const index = y * 12 + (m - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}
