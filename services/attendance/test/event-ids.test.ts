import { uuidPattern } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batchCorrelationId, faceCheckEventId } from '../src/event-ids.ts'

const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/)

describe('face-check event ids', () => {
  it('are UUIDv8 (RFC 9562 §5.8) and the same every time for the same device, batch and index', () => {
    fc.assert(
      fc.property(id, id, fc.nat(999), (device, batch, index) => {
        const a = faceCheckEventId(device, batch, index)
        expect(a).toMatch(uuidPattern)
        expect(a[14]).toBe('8')
        expect(faceCheckEventId(device, batch, index)).toBe(a)
      }),
    )
  })

  it('differ when the device, the batch or the index differs', () => {
    fc.assert(
      fc.property(fc.tuple(id, id, fc.nat(999)), fc.tuple(id, id, fc.nat(999)), (a, b) => {
        fc.pre(a.join('\n') !== b.join('\n'))
        expect(faceCheckEventId(...a)).not.toBe(faceCheckEventId(...b))
      }),
    )
  })

  it('are not the batch correlation id', () => {
    expect(batchCorrelationId('dev-1', 'b-1')).toMatch(uuidPattern)
    expect(batchCorrelationId('dev-1', 'b-1')).not.toBe(faceCheckEventId('dev-1', 'b-1', 0))
  })
})
