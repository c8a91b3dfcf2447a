// Calendar arithmetic in China Standard Time (UTC+8, no daylight saving since 1991): a day, a
// month or a quarter is the local one, whatever offset an instant was written with. The day and
// the quarter (`2024Q2`, the record's one spelling) are @trec/core's.

import { chinaDay } from '@trec/core'

/** The local (UTC+8) date of an instant, `YYYY-MM-DD`. */
export const localDay = (instant: string | number): string => chinaDay(instant)

/** `2024-05` for a date or instant. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}
