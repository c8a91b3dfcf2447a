import { type Decider, reject } from '@trec/command'
import type { EventData, EventDataToAppend } from '@trec/contracts'

// 年度报告和年度检查 of a private training provider (民办职业培训机构): the provider files its
// report for a year once, after the year has ended; an officer records the year's inspection
// once (合格 / 基本合格 / 不合格). One stream per provider and year, `oversight-annual-{institution}-{year}`.
// An inspection may be recorded without a report: a provider that never filed can be found 不合格.

type AnnualEventType = 'AnnualReportFiled' | 'AnnualInspectionRecorded'
export type AnnualEvent = { [T in AnnualEventType]: { type: T; data: EventDataToAppend<T> } }[AnnualEventType]

export interface AnnualState {
  filed?: EventData<'AnnualReportFiled'>
  inspected?: EventData<'AnnualInspectionRecorded'>
}

/** What the registry says of the institution, read by the handler. */
export interface ProviderFacts {
  privateProvider: boolean
  designatedFrom: string
}

export type AnnualCommand =
  | { kind: 'file'; data: EventDataToAppend<'AnnualReportFiled'>; provider: ProviderFacts; today: string }
  | {
      kind: 'inspect'
      data: EventDataToAppend<'AnnualInspectionRecorded'>
      provider: ProviderFacts
      today: string
    }

function assertProvider(provider: ProviderFacts, year: number, today: string) {
  if (!provider.privateProvider)
    reject({
      rule: 'private-provider',
      message: '年度报告和年度检查 apply to private providers (民办) only',
    })
  if (provider.designatedFrom > `${year}-12-31`)
    reject({ rule: 'annual-year', message: `the institution was not designated in ${year}` })
  if (`${year}-12-31` >= today) reject({ rule: 'annual-year', message: `the year ${year} has not ended` })
}

export const annualReportDecider: Decider<AnnualState, AnnualCommand, AnnualEvent> = {
  initialState: () => ({}),
  evolve(state, event) {
    if (event.type === 'AnnualReportFiled')
      return { ...state, filed: event.data as EventData<'AnnualReportFiled'> }
    if (event.type === 'AnnualInspectionRecorded')
      return { ...state, inspected: event.data as EventData<'AnnualInspectionRecorded'> }
    return state
  },
  decide(command, state) {
    assertProvider(command.provider, command.data.year, command.today)
    if (command.kind === 'file') {
      if (state.filed)
        reject({
          rule: 'annual-report-once',
          message: `the report for ${command.data.year} is already filed`,
        })
      return [{ type: 'AnnualReportFiled', data: command.data }]
    }
    if (state.inspected)
      reject({
        rule: 'annual-inspection-once',
        message: `the inspection of ${command.data.year} is already recorded: ${state.inspected.result}`,
      })
    if (command.data.inspectedOn > command.today)
      reject({ rule: 'inspection-date', message: 'the inspection is dated after today' })
    return [{ type: 'AnnualInspectionRecorded', data: command.data }]
  },
}
