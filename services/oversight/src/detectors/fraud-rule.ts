import type { alertSubjectKinds, Envelope, EventType } from '@trec/contracts'
import type { RuleId, RuleParameters } from '../rules/parameters.ts'

export type AlertSubjectKind = (typeof alertSubjectKinds)[number]

export interface AlertSubject {
  kind: AlertSubjectKind
  id: string
}

/** What a rule found, before it becomes a `FraudAlertRaised`. */
export interface AlertDraft {
  subject: AlertSubject
  /**
   * What tells this finding apart from others about the same subject (a day, a class, a
   * quarter); '' when the subject alone does. With the rule, its version and the subject it
   * makes the alert id, so the same finding is raised once however often it is computed.
   */
  occurrence: string
  /** The events the finding rests on, the most telling first; the event being applied is added. */
  evidence: string[]
  summary: string
  measures?: Record<string, number>
}

/**
 * The state a rule keeps between events, in named slots. Slots are read and written whole
 * (JSON values); a value read and changed in place must be written back with `set`.
 */
export interface RuleState {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): void
  delete(key: string): void
}

/**
 * A fraud rule: a pure fold over the events it reads. `step` sees one event at a time in feed
 * order, with the state left by the events before it, and returns what the event completes.
 * It must be deterministic in the events alone (no clock, no randomness): a rebuild from zero
 * has to raise exactly the alerts the live run raised.
 */
export interface FraudRule<R extends RuleId = RuleId> {
  id: R
  title: string
  /** The event types it reads; others never reach `step`. */
  reads: readonly EventType[]
  /** Slots `step` will probably read for this event, loaded together before the batch runs. */
  keys(event: Envelope, params: RuleParameters<R>): string[]
  step(event: Envelope, state: RuleState, params: RuleParameters<R>): Promise<AlertDraft[]>
}

/** An in-memory state, for rules run without a database (tests, the what-if runner). */
export class MemoryRuleState implements RuleState {
  readonly slots = new Map<string, unknown>()
  async get<T>(key: string): Promise<T | undefined> {
    const value = this.slots.get(key)
    // A copy, as from a database: a rule that forgets `set` loses its change here too.
    return value === undefined ? undefined : (structuredClone(value) as T)
  }
  set(key: string, value: unknown): void {
    this.slots.set(key, structuredClone(value))
  }
  delete(key: string): void {
    this.slots.delete(key)
  }
}
