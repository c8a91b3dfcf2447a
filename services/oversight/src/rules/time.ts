// Calendar arithmetic in China Standard Time (UTC+8, no daylight saving since 1991): a day, a
// month or a quarter is the local one, whatever offset an instant was written with.

const cst = 8 * 3_600_000

/** The local (UTC+8) date of an instant, `YYYY-MM-DD`. */
export function localDay(instant: string | number): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant)
  return new Date(ms + cst).toISOString().slice(0, 10)
}

/** `2024-Q2` for a date or instant. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7))
  return `${date.slice(0, 4)}-Q${Math.ceil(month / 3)}`
}

/** `2024-05` for a date or instant. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}
