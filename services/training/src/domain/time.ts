// Dates in the catalogue and in designations are calendar dates in China (`chinaDay` of @trec/core).
import { chinaDay } from '@trec/core'

/** The calendar date in China (`YYYY-MM-DD`) of an instant. */
export const chinaDate = (instant: string | Date): string => chinaDay(instant)

/** Whether `date` lies in `[from, to]`, `to` absent meaning open-ended (ISO dates compare as strings). */
export function dateWithin(date: string, from: string, to: string | undefined): boolean {
  return date >= from && (to === undefined || date <= to)
}
