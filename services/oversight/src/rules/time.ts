// Calendar arithmetic in China Standard Time (UTC+8, no daylight saving since 1991): a day, a
// month or a quarter is the local one, whatever offset an instant was written with.

import { chinaDay } from '@trec/core'

/** The local (UTC+8) date of an instant, `YYYY-MM-DD`. */
export const localDay = (instant: string | number): string => chinaDay(instant)

/** `2024-Q2` for a date or instant. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7))
  return `${date.slice(0, 4)}-Q${Math.ceil(month / 3)}`
}

/** `2024-05` for a date or instant. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}
