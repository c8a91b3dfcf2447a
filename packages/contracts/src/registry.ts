import { TrecError } from '@trec/core'
import type { z } from 'zod'
import { accessEvents } from './catalogue/access.ts'
import { assessmentEvents } from './catalogue/assessment.ts'
import { attendanceEvents } from './catalogue/attendance.ts'
import { auditEvents } from './catalogue/audit.ts'
import { catalogueEntryEvents } from './catalogue/catalogues.ts'
import { employmentEvents } from './catalogue/employment.ts'
import { oversightEvents } from './catalogue/oversight.ts'
import { paymentBatchEvents } from './catalogue/payment-batch.ts'
import { planEvents } from './catalogue/plan.ts'
import { recoveryEvents } from './catalogue/recovery.ts'
import { subsidyEvents } from './catalogue/subsidy.ts'
import { subsidyRuleEvents } from './catalogue/subsidy-rules.ts'
import { supervisionEvents } from './catalogue/supervision.ts'
import { trainingEvents } from './catalogue/training.ts'
import { workerViewEvents } from './catalogue/worker-view.ts'
import type { Context, EventDefinition, StreamCategory } from './definition.ts'

// The one list of every event type. Types are derived from it, never written a second time.

const allEvents = [
  ...trainingEvents,
  ...catalogueEntryEvents,
  ...attendanceEvents,
  ...assessmentEvents,
  ...subsidyEvents,
  ...paymentBatchEvents,
  ...recoveryEvents,
  ...subsidyRuleEvents,
  ...accessEvents,
  ...auditEvents,
  ...employmentEvents,
  ...planEvents,
  ...oversightEvents,
  ...supervisionEvents,
  ...workerViewEvents,
] as const

type AllDefinitions = (typeof allEvents)[number]

export type EventDefinitions = { readonly [D in AllDefinitions as D['type']]: D }

function indexByType(list: readonly EventDefinition[]): EventDefinitions {
  const map: Record<string, EventDefinition> = Object.create(null)
  for (const definition of list) {
    if (map[definition.type]) throw new Error(`event type ${definition.type} is defined twice`)
    map[definition.type] = definition
  }
  return Object.freeze(map) as unknown as EventDefinitions
}

export const eventDefinitions: EventDefinitions = indexByType(allEvents)

export type EventType = keyof EventDefinitions

export const eventTypes: readonly EventType[] = Object.freeze(allEvents.map((d) => d.type))

/** The data of an event of type `T` at its current version, as read back. */
export type EventData<T extends EventType> = z.output<EventDefinitions[T]['schema']>

/** The data a writer may append for type `T`. */
export type EventDataToAppend<T extends EventType> = z.input<EventDefinitions[T]['appendSchema']>

/** Any event at its current version, discriminated by `type`. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType]

/** Any event a writer may append now, discriminated by `type`. */
export type DomainEventToAppend = { [T in EventType]: { type: T; data: EventDataToAppend<T> } }[EventType]

export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(eventDefinitions, type)
}

export function definitionOf<T extends EventType>(type: T): EventDefinitions[T]
export function definitionOf(type: string): EventDefinition
export function definitionOf(type: string): EventDefinition {
  if (!isEventType(type))
    throw new TrecError('TREC_UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(type)}`, {
      details: { type },
    })
  return eventDefinitions[type]
}

export function currentVersion(type: EventType | (string & {})): number {
  return definitionOf(type).version
}

export function schemaFor<T extends EventType>(type: T): EventDefinitions[T]['schema'] {
  return definitionOf(type).schema
}

/** The stream an event belongs in: `${category}-${data[key]}` of its definition. */
export function streamFor(event: DomainEvent | DomainEventToAppend): string {
  const definition = definitionOf(event.type as string)
  const key = (event.data as Record<string, unknown>)[definition.key]
  if (typeof key !== 'string' || key === '')
    throw new TrecError('TREC_VALIDATION', `${event.type} has no ${definition.key} to key its stream`, {
      issues: [
        { path: ['data', definition.key], code: 'invalid_type', message: 'must be a non-empty string' },
      ],
    })
  return `${definition.category}-${key}`
}

export interface CatalogueEntry {
  type: EventType
  version: number
  context: Context
  category: StreamCategory
  key: string
  summary: string
}

/** The catalogue in declaration order, for listings and generated documents. */
export function describeCatalogue(): CatalogueEntry[] {
  return allEvents.map(({ type, version, context, category, key, summary }) => ({
    type,
    version,
    context,
    category,
    key,
    summary,
  }))
}
