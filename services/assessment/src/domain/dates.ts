// Calendar dates in the record (assessedOn, issuedOn) are dates in China Standard Time.
import { chinaDay } from '@trec/core'

/** The calendar date in China (`YYYY-MM-DD`) of an instant. */
export const chinaDate = (at: Date): string => chinaDay(at)
