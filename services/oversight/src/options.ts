import { AccessLog } from '@trec/command'
import { clockOption, objectWith, parseServiceOptions } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { cursorKeyOf } from '@trec/fastify-kit'
import { z } from 'zod'
import { OversightReadSide } from './read-side.ts'
import type { RuleBook, RuleId } from './rules/parameters.ts'

export interface OversightOptions {
  store: EventStore
  /** The database of the read models (in embedded mode the store's own). */
  db: SqlExecutor
  /** The fraud rule book (default: the shipped `rules/fraud-rules.json`). */
  rules?: RuleBook
  enabledRules?: readonly RuleId[]
  /** The read side to serve from; built from the options above when absent. */
  readSide?: OversightReadSide
  /** Follow the store's feed in the background while the app runs (default true). */
  follow?: boolean
  clock?: () => Date
  /** Largest population a sampling run takes (the event holds every id; default 20,000). */
  maxPopulation?: number
  /** The key list cursors are tagged with (`cursorKeyOf` in @trec/fastify-kit); random when absent. */
  cursorKey?: Uint8Array
  /**
   * The day (MM-DD) of the following year by which a private provider files its 年度报告 for a year.
   * National practice, not in the seeds (the region sets it); default `annualReportDueDefault`.
   */
  annualReportDue?: string
}

/** National practice, not in the seeds: 年度报告 of year Y filed by 30 June of Y + 1 (the region may set another day). */
export const annualReportDueDefault = '06-30'

export interface ResolvedOptions {
  store: EventStore
  db: SqlExecutor
  readSide: OversightReadSide
  follow: boolean
  clock: () => Date
  maxPopulation: number
  cursorKey: Uint8Array
  annualReportDue: string
  /** Reads of a person's data by the lists (enrolments), recorded before the answer. */
  accessLog: AccessLog
}

// What is checked of the options; the rule book and the read side are checked where they are built.
const optionsSchema = z.object({
  store: objectWith<EventStore>('an EventStore', 'appendMany'),
  db: objectWith<SqlExecutor>('a SqlExecutor', 'query'),
  maxPopulation: z.int().min(1).max(20_000, 'at most 20000 (the sampling event holds every id)').optional(),
  clock: clockOption(),
  annualReportDue: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day of the year as MM-DD')
    .optional(),
})

export function resolveOptions(o: OversightOptions): ResolvedOptions {
  parseServiceOptions(optionsSchema, o, 'oversight service')
  const readSide =
    o.readSide ??
    new OversightReadSide({
      store: o.store,
      db: o.db,
      ...(o.rules ? { rules: o.rules } : {}),
      ...(o.enabledRules ? { enabled: o.enabledRules } : {}),
    })
  const maxPopulation = o.maxPopulation ?? 20_000
  return {
    store: o.store,
    db: o.db,
    readSide,
    follow: o.follow ?? true,
    clock: o.clock ?? (() => new Date()),
    maxPopulation,
    cursorKey: o.cursorKey ?? cursorKeyOf(),
    annualReportDue: o.annualReportDue ?? annualReportDueDefault,
    accessLog: new AccessLog(o.store),
  }
}
