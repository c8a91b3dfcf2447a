import { faceCheckRecorded, toEventToAppend } from '@trec/contracts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { faceCheckSchema } from '../src/domain/batch-payload.ts'
import type { FaceCheckEvent } from '../src/domain/face-check-batch.ts'
import { batchCorrelationId, faceCheckEventId } from '../src/event-ids.ts'
import { faceCheckEventsForStore } from '../src/face-check-events.ts'
import { classId, faceCheck } from './fixtures.ts'

const envelope = {
  device: 'dev-a',
  batchId: 'b-1',
  actor: { kind: 'device' as const, id: 'dev-a', institution: 'inst-1' },
  region: '130102',
  source: 'trec.attendance',
}

describe('a batch as the store appends it', () => {
  it('is exactly what toEventToAppend makes of each check, whatever the checks hold', () => {
    const check = fc.record({
      n: fc.nat(599),
      result: fc.constantFrom('pass' as const, 'fail' as const),
      matchScore: fc.double({ min: 0, max: 1, noNaN: true }),
      method: fc.constantFrom('silent' as const, 'action' as const, 'flash' as const, '3d' as const),
      place: fc.option(
        fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.constant(114.5) }),
        { nil: undefined },
      ),
    })
    fc.assert(
      fc.property(fc.array(check, { minLength: 1, maxLength: 30 }), (specs) => {
        const events: FaceCheckEvent[] = specs.map(({ n, result, matchScore, method, place }) => {
          const { place: _, ...base } = faceCheck(n, {
            result,
            matchScore,
            liveness: { method, score: 0.5, passed: true },
          })
          return {
            type: 'FaceCheckRecorded',
            data: { ...base, ...(place ? { place } : {}), class: classId, device: 'dev-a' },
          }
        })
        const expected = events.map((event, i) =>
          toEventToAppend(event, {
            id: faceCheckEventId('dev-a', 'b-1', i),
            occurredAt: event.data.checkedAt,
            actor: envelope.actor,
            source: envelope.source,
            region: envelope.region,
            correlationId: batchCorrelationId('dev-a', 'b-1'),
          }),
        )
        expect(faceCheckEventsForStore(events, envelope)).toEqual(expected)
      }),
      { numRuns: 50 },
    )
  })

  it('relies on a batch schema with the same fields as the event, bar the class and device the batch names once', () => {
    const eventFields = Object.keys((faceCheckRecorded.appendSchema as unknown as z.ZodObject).shape).sort()
    expect([...Object.keys(faceCheckSchema.shape), 'class', 'device'].sort()).toEqual(eventFields)
  })

  it('checks the shared metadata in full: a bad region is refused', () => {
    const event: FaceCheckEvent = {
      type: 'FaceCheckRecorded',
      data: { ...faceCheck(0), class: classId, device: 'dev-a' },
    }
    expect(() => faceCheckEventsForStore([event], { ...envelope, region: '990000' })).toThrow(
      /invalid FaceCheckRecorded/,
    )
  })
})
