import { describe, expect, it } from 'vitest'
import { faceCheckBatchSchema, maxChecksPerBatch } from '../../src/domain/batch-payload.ts'
import { wellFormedFaceCheckBatch, wellFormedLearningBatch } from '../../src/domain/batch-shape.ts'
import { learningBatchSchema, maxSegmentsPerBatch } from '../../src/domain/learning-batch.ts'
import { batchOf, classId, learningBatchOf, roster } from '../fixtures.ts'

// The hand check of a batch's common case may only ever say "valid" where the schema does, and
// then give what the schema gives (same values, same key order). Each broken batch below is one
// field or key away from a valid one; the hand check must leave it to the schema.

const learning = (json: unknown) =>
  wellFormedLearningBatch(json, { maxSegments: maxSegmentsPerBatch, maxChecks: maxChecksPerBatch })
const face = (json: unknown) => wellFormedFaceCheckBatch(json, maxChecksPerBatch)

/** The batch as it arrives: parsed from JSON text, as the route reads it. */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>

// biome-ignore lint/suspicious/noExplicitAny: each edit reaches into the parsed JSON at its own depth
type Edit = [name: string, edit: (b: Record<string, any>) => void]

const checkEdits: Edit[] = [
  ['an extra key', (b) => (b.checks[0].image = 'data:')],
  ['a missing key', (b) => delete b.checks[0].matchScore],
  ['an uppercase pseudonym', (b) => (b.checks[0].worker = b.checks[0].worker.toUpperCase())],
  ['a bad session id', (b) => (b.checks[0].session = '-x')],
  ['a date that does not exist', (b) => (b.checks[0].checkedAt = '2024-02-30T08:00:00Z')],
  ['an instant without offset', (b) => (b.checks[0].checkedAt = '2024-04-08T08:00:00')],
  ['an unknown purpose', (b) => (b.checks[0].purpose = 'nap')],
  ['an unknown result', (b) => (b.checks[0].result = 'maybe')],
  ['a score above 1', (b) => (b.checks[0].matchScore = 1.01)],
  ['a score as text', (b) => (b.checks[0].matchScore = '0.9')],
  ['an unknown liveness method', (b) => (b.checks[0].liveness.method = 'guess')],
  ['liveness passed as text', (b) => (b.checks[0].liveness.passed = 'true')],
  ['an extra liveness key', (b) => (b.checks[0].liveness.photo = 'x')],
  ['a latitude beyond 90', (b) => (b.checks[0].place.lat = 91)],
  ['a place with an extra key', (b) => (b.checks[0].place.alt = 3)],
  ['place null', (b) => (b.checks[0].place = null)],
  ['a short template hash', (b) => (b.checks[0].templateHash = 'abc')],
  [
    'a __proto__ key',
    (b) => Object.defineProperty(b.checks[0], '__proto__', { value: {}, enumerable: true }),
  ],
  ['a check that is an array', (b) => (b.checks[0] = [])],
  ['an extra batch key', (b) => (b.note = 'x')],
  ['a bad device id', (b) => (b.device = 'a b')],
  ['a bad class id', (b) => (b.class = '')],
  ['a batch id as a number', (b) => (b.batchId = 7)],
  ['checks not an array', (b) => (b.checks = {})],
]

const segmentEdits: Edit[] = [
  ['an extra segment key', (b) => (b.segments[0].url = 'x')],
  ['a missing segment key', (b) => delete b.segments[0].progress],
  ['a bad lesson id', (b) => (b.segments[0].lesson = '')],
  ['a start with a bad hour', (b) => (b.segments[0].start = '2024-04-08T24:00:00Z')],
  ['an end as a number', (b) => (b.segments[0].end = 1712534400000)],
  ['progress below 0', (b) => (b.segments[0].progress = -0.1)],
  ['playback rate 0', (b) => (b.segments[0].playbackRate = 0)],
  ['playback rate above 16', (b) => (b.segments[0].playbackRate = 16.5)],
  ['fractional interactions', (b) => (b.segments[0].interactions = 1.5)],
  ['too many interactions', (b) => (b.segments[0].interactions = 100_001)],
  ['an uppercase fingerprint', (b) => (b.segments[0].clientFingerprint = 'A'.repeat(64))],
  ['a null segment', (b) => (b.segments[0] = null)],
  ['segments missing', (b) => delete b.segments],
  ['a broken check beside the segments', (b) => (b.checks[0].purpose = 'nap')],
  ['an extra batch key', (b) => (b.extra = 1)],
]

describe('the hand check of a face-check batch', () => {
  it('answers a valid batch exactly as the schema does, place or none', () => {
    const batch = wire(batchOf('dev-1', 'b-1', 20))
    delete (batch.checks as Record<string, unknown>[])[3]!.place
    const fast = face(batch)
    expect(fast).toBeDefined()
    const schema = faceCheckBatchSchema.parse(batch)
    expect(fast).toStrictEqual(schema)
    expect(JSON.stringify(fast)).toBe(JSON.stringify(schema))
  })

  it.each(checkEdits)('leaves %s to the schema', (_, edit) => {
    const batch = wire(batchOf('dev-1', 'b-1', 3))
    edit(batch)
    expect(face(batch)).toBeUndefined()
  })

  it('leaves an empty batch and one over the limit to the schema', () => {
    expect(face(wire({ ...batchOf('dev-1', 'b-1', 1), checks: [] }))).toBeUndefined()
    expect(wellFormedFaceCheckBatch(wire(batchOf('dev-1', 'b-1', 3)), 2)).toBeUndefined()
  })
})

describe('the hand check of a learning batch', () => {
  it('answers a valid batch exactly as the schema does', () => {
    const batch = wire(learningBatchOf('plat-1', classId, 'l-1', roster.slice(0, 5)))
    const fast = learning(batch)
    expect(fast).toBeDefined()
    const schema = learningBatchSchema.parse(batch)
    expect(fast).toStrictEqual(schema)
    expect(JSON.stringify(fast)).toBe(JSON.stringify(schema))
  })

  it.each([...segmentEdits, ...checkEdits.filter(([name]) => !/batch|checks not/.test(name))])(
    'leaves %s to the schema',
    (_, edit) => {
      const batch = wire(learningBatchOf('plat-1', classId, 'l-1', roster.slice(0, 2)))
      edit(batch)
      expect(learning(batch)).toBeUndefined()
    },
  )

  it('every batch it leaves to the schema above is one the schema refuses', () => {
    for (const [, edit] of segmentEdits) {
      const batch = wire(learningBatchOf('plat-1', classId, 'l-1', roster.slice(0, 2)))
      edit(batch)
      expect(learningBatchSchema.safeParse(batch).success).toBe(false)
    }
  })
})
