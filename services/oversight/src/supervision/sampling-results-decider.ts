import { type Decider, reject } from '@trec/command'
import type { EventData, EventDataToAppend } from '@trec/contracts'
import { redactCardNumbers, TrecError } from '@trec/core'

// 双随机、一公开: each target of a sampling run is inspected and its result recorded on the run's
// own stream (`oversight-sampling-{id}`), once, by an inspector the run drew for it when it drew
// any. When the last target's result is recorded the results are published in the same append;
// an officer may publish earlier, naming what is still pending. The publication carries only the
// institution, the date, the outcome and a summary of findings (no person's data, card numbers
// redacted even though the screen refuses them at input), and is itself an event of the log.

type ResultEventType = 'SamplingResultRecorded' | 'SamplingResultsPublished'
export type ResultEvent = { [T in ResultEventType]: { type: T; data: EventDataToAppend<T> } }[ResultEventType]

type Result = EventData<'SamplingResultRecorded'>

export interface RunState {
  run?: EventData<'InspectionSampleSelected'>
  results: Result[]
  /** How many results the latest publication held (0: never published). */
  published: number
}

export type ResultCommand =
  | {
      kind: 'record'
      data: Omit<EventDataToAppend<'SamplingResultRecorded'>, 'run'>
      /** The recording inspector's id (the token's subject). */
      inspector: string
      today: string
    }
  | { kind: 'publish' }

/** The longest summary of findings a publication shows. */
export const summaryLength = 200

/** The findings as published: card numbers redacted, cut to `summaryLength` characters. */
export function publicSummary(findings: string): string {
  const text = redactCardNumbers(findings).replace(/\s+/g, ' ').trim()
  return text.length <= summaryLength ? text : `${text.slice(0, summaryLength - 1)}…`
}

function publication(
  run: EventData<'InspectionSampleSelected'>,
  results: Result[],
  trigger: 'all_recorded' | 'officer',
) {
  const done = new Set(results.map((r) => r.target))
  return {
    type: 'SamplingResultsPublished' as const,
    data: {
      run: run.run,
      region: run.population.region,
      trigger,
      results: results.map((r) => ({
        target: r.target,
        institution: r.institution,
        outcome: r.outcome,
        inspectedOn: r.inspectedOn,
        summary: publicSummary(r.findings),
      })),
      pending: run.selected.filter((t) => !done.has(t)),
    },
  }
}

export const samplingResultsDecider: Decider<RunState, ResultCommand, ResultEvent> = {
  initialState: () => ({ results: [], published: 0 }),
  evolve(state, event) {
    const e = event as { type: string; data: unknown }
    if (e.type === 'InspectionSampleSelected')
      return { ...state, run: e.data as EventData<'InspectionSampleSelected'> }
    if (e.type === 'SamplingResultRecorded')
      return { ...state, results: [...state.results, e.data as Result] }
    if (e.type === 'SamplingResultsPublished')
      return { ...state, published: (e.data as EventData<'SamplingResultsPublished'>).results.length }
    return state
  },
  decide(command, state) {
    const run = state.run
    if (!run)
      throw new TrecError('TREC_NOT_FOUND', 'no such sampling run', { details: { reason: 'sampling run' } })
    if (command.kind === 'publish') {
      if (state.results.length === 0)
        reject({ rule: 'sampling-results-none', message: 'no result of this run is recorded yet' })
      if (state.published === state.results.length)
        reject({ rule: 'sampling-published', message: 'every result recorded is already published' })
      return [publication(run, state.results, 'officer')]
    }
    const d = command.data
    if (!run.selected.includes(d.target))
      reject({ rule: 'sampling-target', message: `${d.target} was not drawn in ${run.run}` })
    if (state.results.some((r) => r.target === d.target))
      reject({ rule: 'sampling-result-once', message: `the result for ${d.target} is already recorded` })
    const assigned = run.inspectors?.assignments.find((a) => a.target === d.target)?.inspectors
    if (assigned && !assigned.includes(command.inspector))
      reject({
        rule: 'inspector-assigned',
        message: `the inspection of ${d.target} is recorded by an inspector drawn for it`,
        details: { inspectors: assigned },
      })
    if (d.inspectedOn > command.today)
      reject({ rule: 'inspection-date', message: 'the inspection is dated after today' })
    const recorded = { type: 'SamplingResultRecorded' as const, data: { ...d, run: run.run } }
    const results = [...state.results, recorded.data as Result]
    return results.length === run.selected.length
      ? [recorded, publication(run, results, 'all_recorded')]
      : [recorded]
  },
}
