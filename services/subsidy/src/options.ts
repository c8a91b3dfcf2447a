import { fileURLToPath } from 'node:url'
import { AccessLog } from '@trec/command'
import { clockOption, objectWith, parseServiceOptions } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { cursorKeyOf } from '@trec/fastify-kit'
import { createPseudonymizer, type KeyRing, minimumSecretBytes, type Pseudonymizer } from '@trec/privacy'
import { ProjectionRunner } from '@trec/projections'
import { z } from 'zod'
import { checkRuleSets, loadRuleSets } from './app/rule-catalogue.ts'
import type { RuleSet } from './domain/rule-set.ts'
import { claimsListProjection } from './read/claims-projection.ts'

export interface SubsidyOptions {
  store: EventStore
  /** The time decisions are made at (default: the system clock). */
  clock?: () => Date
  /**
   * A directory of rule-set JSON files the gate uses besides those published in the store (none
   * by default: sets are published as events, see `publish`).
   */
  rulesDir?: string
  /** Rule sets given directly; when present, `rulesDir` is not read. */
  rules?: RuleSet[]
  /** The workers' data keys: a payment's account must open under its worker's key. */
  keyRing: KeyRing
  /** The deployment's pseudonym secret: the card service registers a card's account by its number. */
  pseudonymSecret: string
  /**
   * Sets to publish in the store as the system when the service starts, once (the shipped sets:
   * `loadRuleSets(defaultRulesDir)`); a restart appends nothing.
   */
  publish?: RuleSet[]
  /**
   * The read models' database: with it the service keeps the claims list (`claimsListProjection`,
   * run by whoever runs the read models) and answers `GET /v1/claims`.
   */
  db?: SqlExecutor
  /** The key list cursors are tagged with (`cursorKeyOf` in @trec/fastify-kit); random when absent. */
  cursorKey?: Uint8Array
}

export interface ResolvedOptions {
  store: EventStore
  clock: () => Date
  /** Sets given directly; the gate also reads those published in the store. */
  rules: readonly RuleSet[]
  /** Reads of a worker's claim are recorded here before they are answered. */
  accessLog: AccessLog
  keyRing: KeyRing
  pseudonymizer: Pseudonymizer
  publish: readonly RuleSet[]
  /** The claims list's database and tables, when the service was given a database. */
  claimsList?: { db: SqlExecutor; runner: ProjectionRunner }
  cursorKey: Uint8Array
}

export const defaultRulesDir = fileURLToPath(new URL('../rules', import.meta.url))

const optionsSchema = z.object({
  store: objectWith<EventStore>('an EventStore', 'append'),
  clock: clockOption(),
  rulesDir: z.string().min(1).optional(),
  rules: z.array(z.unknown()).optional(),
  keyRing: objectWith<KeyRing>('a KeyRing', 'open'),
  pseudonymSecret: z.string().refine((s) => Buffer.byteLength(s) >= minimumSecretBytes, {
    message: `must be at least ${minimumSecretBytes} bytes`,
  }),
  publish: z.array(z.unknown()).optional(),
  db: objectWith<SqlExecutor>('a SqlExecutor', 'query').optional(),
  cursorKey: z.instanceof(Uint8Array).optional(),
})

/** Checks the options and loads the rule sets; throws TREC_VALIDATION naming what is wrong. */
export function resolveOptions(options: SubsidyOptions): ResolvedOptions {
  parseServiceOptions(optionsSchema, options, 'subsidy service')
  const rules = options.rules
    ? checkRuleSets(options.rules.map((value, i) => ({ source: `rules[${i}]`, value })))
    : options.rulesDir
      ? loadRuleSets(options.rulesDir)
      : []
  const publish = options.publish
    ? checkRuleSets(options.publish.map((value, i) => ({ source: `publish[${i}]`, value })))
    : []
  return {
    store: options.store,
    clock: options.clock ?? (() => new Date()),
    rules,
    accessLog: new AccessLog(options.store),
    keyRing: options.keyRing,
    pseudonymizer: createPseudonymizer(options.pseudonymSecret),
    publish,
    ...(options.db
      ? { claimsList: { db: options.db, runner: new ProjectionRunner(options.db, claimsListProjection()) } }
      : {}),
    cursorKey: options.cursorKey ?? cursorKeyOf(),
  }
}
