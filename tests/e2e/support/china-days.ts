import { chinaDay } from '@trec/core'

/** The China calendar day `offset` days from today (negative: before), as YYYY-MM-DD. */
export const day = (offset: number): string => chinaDay(Date.now() + offset * 86_400_000)

/** An instant on a China calendar day, at a China wall-clock time. */
export const at = (d: string, time = '09:00'): Date => new Date(`${d}T${time}:00+08:00`)
