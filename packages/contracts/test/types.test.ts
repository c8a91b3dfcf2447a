import { describe, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import type {
  advancePaid,
  DomainEvent,
  DomainEventToAppend,
  Envelope,
  EventData,
  EventDataToAppend,
  EventType,
  faceCheckRecorded,
  SealedValue,
  schemaFor,
  workerEnrolled,
} from '../src/index.ts'

// Type-level checks: the event types are exactly what the zod schemas infer, so a schema change
// is a type change everywhere. tsc checks these (the runtime assertions are no-ops); each line
// fails the typecheck if the types drift.

describe('event types derive from the schemas', () => {
  it('gives each event the data type its schema infers', () => {
    expectTypeOf<EventData<'FaceCheckRecorded'>>().toEqualTypeOf<z.output<typeof faceCheckRecorded.schema>>()
    expectTypeOf<EventData<'WorkerEnrolled'>>().toEqualTypeOf<z.output<typeof workerEnrolled.schema>>()
    expectTypeOf<EventData<'AdvancePaid'>>().toEqualTypeOf<z.output<typeof advancePaid.schema>>()
    expectTypeOf<Extract<DomainEvent, { type: 'AdvancePaid' }>['data']>().toEqualTypeOf<
      EventData<'AdvancePaid'>
    >()
    expectTypeOf<ReturnType<typeof schemaFor<'AdvancePaid'>>>().toEqualTypeOf<typeof advancePaid.schema>()
  })

  it('narrows the data by the type', () => {
    expectTypeOf<
      Extract<DomainEvent, { type: 'FaceCheckRecorded' }>['data']['matchScore']
    >().toEqualTypeOf<number>()
    expectTypeOf<Envelope<'SubsidyPaid'>['data']['amount']>().toEqualTypeOf<number>()
    expectTypeOf<Envelope['type']>().toEqualTypeOf<EventType>()
  })

  it('lets history hold an unrecorded liveness method but not new writes', () => {
    expectTypeOf<EventData<'FaceCheckRecorded'>['liveness']['method']>().toEqualTypeOf<
      'silent' | 'action' | 'flash' | '3d' | 'unknown'
    >()
    expectTypeOf<EventDataToAppend<'FaceCheckRecorded'>['liveness']['method']>().toEqualTypeOf<
      'silent' | 'action' | 'flash' | '3d'
    >()
    expectTypeOf<Extract<DomainEventToAppend, { type: 'FaceCheckRecorded' }>['data']>().toEqualTypeOf<
      EventDataToAppend<'FaceCheckRecorded'>
    >()
  })

  it('types personal fields as sealed values, never strings', () => {
    expectTypeOf<EventData<'WorkerEnrolled'>['name']>().toEqualTypeOf<SealedValue>()
    expectTypeOf<EventData<'WorkerEnrolled'>['phone']>().toEqualTypeOf<SealedValue | undefined>()
  })

  it('knows the catalogue by name', () => {
    expectTypeOf<'FaceCheckRecorded'>().toExtend<EventType>()
    expectTypeOf<'FaceCheckPerformed'>().not.toExtend<EventType>()
  })
})
