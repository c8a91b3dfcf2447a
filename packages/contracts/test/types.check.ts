import { expectTypeOf } from 'vitest'
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
// is a type change everywhere. Only the typecheck (`pnpm run typecheck`, part of `npm test`) reads
// this file: each line fails it if the types drift. It is not a vitest test, because at run time
// these lines assert nothing.

// gives each event the data type its schema infers
expectTypeOf<EventData<'FaceCheckRecorded'>>().toEqualTypeOf<z.output<typeof faceCheckRecorded.schema>>()
expectTypeOf<EventData<'WorkerEnrolled'>>().toEqualTypeOf<z.output<typeof workerEnrolled.schema>>()
expectTypeOf<EventData<'AdvancePaid'>>().toEqualTypeOf<z.output<typeof advancePaid.schema>>()
expectTypeOf<Extract<DomainEvent, { type: 'AdvancePaid' }>['data']>().toEqualTypeOf<
  EventData<'AdvancePaid'>
>()
expectTypeOf<ReturnType<typeof schemaFor<'AdvancePaid'>>>().toEqualTypeOf<typeof advancePaid.schema>()

// narrows the data by the type
expectTypeOf<
  Extract<DomainEvent, { type: 'FaceCheckRecorded' }>['data']['matchScore']
>().toEqualTypeOf<number>()
expectTypeOf<Envelope<'SubsidyPaid'>['data']['amount']>().toEqualTypeOf<number>()
expectTypeOf<Envelope['type']>().toEqualTypeOf<EventType>()

// lets history hold an unrecorded liveness method but not new writes
expectTypeOf<EventData<'FaceCheckRecorded'>['liveness']['method']>().toEqualTypeOf<
  'silent' | 'action' | 'flash' | '3d' | 'unknown'
>()
expectTypeOf<EventDataToAppend<'FaceCheckRecorded'>['liveness']['method']>().toEqualTypeOf<
  'silent' | 'action' | 'flash' | '3d'
>()
expectTypeOf<Extract<DomainEventToAppend, { type: 'FaceCheckRecorded' }>['data']>().toEqualTypeOf<
  EventDataToAppend<'FaceCheckRecorded'>
>()

// types personal fields as sealed values, never strings
expectTypeOf<EventData<'WorkerEnrolled'>['name']>().toEqualTypeOf<SealedValue>()
expectTypeOf<EventData<'WorkerEnrolled'>['phone']>().toEqualTypeOf<SealedValue | undefined>()

// knows the catalogue by name
expectTypeOf<'FaceCheckRecorded'>().toExtend<EventType>()
expectTypeOf<'FaceCheckPerformed'>().not.toExtend<EventType>()
