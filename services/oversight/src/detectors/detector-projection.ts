import { decodeRecordedOnce } from '@trec/contracts'
import type { Projection } from '@trec/projections'
import type { RuleConfig, RuleId } from '../rules/parameters.ts'
import { alertEventFor } from './alert-event.ts'
import type { FraudRule } from './fraud-rule.ts'
import { runRule } from './run-rule.ts'
import { SqlRuleState } from './sql-rule-state.ts'

/** A fraud rule as a projection: its state, the alerts it has raised, and those not yet appended. */
export interface DetectorProjection extends Projection {
  rule: FraudRule
  config: RuleConfig
}

/**
 * Runs `rule` as a projection named `oversight_r{n}`, versioned by the rule's version. In one
 * transaction with the checkpoint it updates the rule's state, records each newly raised alert in
 * `raised` and queues its `FraudAlertRaised` in `outbox`; the runner appends queued alerts after
 * the commit (`DetectorRunner.flush`). An alert already in `raised` is never queued again, and a
 * queued one appended twice is one event (its id is derived from the alert), so neither a
 * redelivery nor a rebuild raises anything twice.
 */
export function detectorProjection<R extends RuleId>(
  rule: FraudRule<R>,
  config: RuleConfig<R>,
): DetectorProjection {
  const reads = new Set<string>(rule.reads)
  return {
    name: `oversight_${rule.id.toLowerCase()}`,
    version: config.version,
    rule: rule as unknown as FraudRule,
    config: config as RuleConfig,
    tables: {
      state: 'key text primary key, value jsonb not null',
      raised: `alert text primary key, rule text not null, subject_kind text not null, subject_id text not null,
        evidence jsonb not null, summary text not null, measures jsonb, raised_at text not null, cause text not null`,
      outbox: 'alert text primary key, seq int8 not null, event jsonb not null',
    },
    async apply(events, ctx) {
      const relevant = events.filter((e) => reads.has(e.type)).map((e) => decodeRecordedOnce(e))
      if (relevant.length === 0) return
      const state = new SqlRuleState(ctx.query, ctx.table('state'))
      await state.preload(relevant.flatMap((e) => rule.keys(e, config.params)))
      const alerts = await runRule(rule, config, relevant, state, new Set())
      await state.save()
      if (alerts.length === 0) return
      const known = new Set(
        (
          await ctx.query<{ alert: string }>(
            `select alert from ${ctx.table('raised')} where alert = any($1::text[])`,
            [alerts.map((a) => a.alert)],
          )
        ).map((r) => r.alert),
      )
      const fresh = alerts.filter((a) => !known.has(a.alert))
      if (fresh.length === 0) return
      const positions = new Map(relevant.map((e) => [e.id, e.position.toString()]))
      await ctx.query(
        `insert into ${ctx.table('raised')} (alert, rule, subject_kind, subject_id, evidence, summary, measures, raised_at, cause)
         select alert, rule, subject_kind, subject_id, evidence, summary, measures, raised_at, cause
         from jsonb_to_recordset($1::jsonb) as x(alert text, rule text, subject_kind text, subject_id text,
           evidence jsonb, summary text, measures jsonb, raised_at text, cause text)`,
        [
          JSON.stringify(
            fresh.map((a) => ({
              alert: a.alert,
              rule: a.rule,
              subject_kind: a.subject.kind,
              subject_id: a.subject.id,
              evidence: a.evidence,
              summary: a.summary,
              measures: a.measures ?? null,
              raised_at: a.raisedAt,
              cause: a.cause,
            })),
          ),
        ],
      )
      await ctx.query(
        `insert into ${ctx.table('outbox')} (alert, seq, event)
         select alert, seq::int8, event from jsonb_to_recordset($1::jsonb) as x(alert text, seq text, event jsonb)`,
        [
          JSON.stringify(
            fresh.map((a) => ({
              alert: a.alert,
              seq: positions.get(a.cause) ?? '0',
              event: alertEventFor(a),
            })),
          ),
        ],
      )
    },
  }
}
