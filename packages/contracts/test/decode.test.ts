import { isTrecError, type TrecError } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createCodec,
  decodeRecorded,
  defineEvent,
  type Envelope,
  toEventToAppend,
  upcaster,
} from '../src/index.ts'
import { examples, meta, stored, worker } from './fixtures.ts'

const metadataAt = (schemaVersion: number) => ({
  schemaVersion,
  occurredAt: '2021-09-14T08:31:02+08:00',
  actor: { kind: 'device', id: 'dev-fc-0007' },
  source: 'hlj-shimingzhi',
  region: '230100',
})

// A face check as version 1 stored it: the score an integer percentage, liveness a bare verdict.
const v1 = {
  worker,
  class: 'cls-2021-0901',
  session: 'ses-03',
  device: 'dev-fc-0007',
  checkedAt: '2021-09-14T08:31:02+08:00',
  purpose: 'sign_in',
  result: 'pass',
  score: 87,
  livenessPassed: true,
  templateHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
}

function caught(f: () => unknown): TrecError {
  try {
    f()
  } catch (error) {
    if (isTrecError(error)) return error
    throw error
  }
  throw new Error('expected a TrecError')
}

describe('FaceCheckRecorded version 1 → 2', () => {
  it('reads a version 1 record as the version 2 shape, values converted', () => {
    const envelope = decodeRecorded(stored('FaceCheckRecorded', v1, metadataAt(1)))
    expect(envelope.type).toBe('FaceCheckRecorded')
    expect(envelope.schemaVersion).toBe(2)
    expect(envelope.storedSchemaVersion).toBe(1)
    const { score: _, livenessPassed: __, ...unchanged } = v1
    expect(envelope.data).toEqual({
      ...unchanged,
      matchScore: 0.87,
      liveness: { method: 'unknown', score: null, passed: true },
    })
  })

  it('keeps a failed liveness verdict failed', () => {
    const envelope = decodeRecorded(
      stored('FaceCheckRecorded', { ...v1, livenessPassed: false }, metadataAt(1)),
    )
    if (envelope.type !== 'FaceCheckRecorded') throw new Error('narrowing')
    expect(envelope.data.liveness.passed).toBe(false)
  })

  it('maps the ends of the percentage scale to the ends of [0, 1]', () => {
    for (const [score, matchScore] of [
      [0, 0],
      [100, 1],
    ])
      expect(decodeRecorded(stored('FaceCheckRecorded', { ...v1, score }, metadataAt(1))).data).toMatchObject(
        { matchScore },
      )
  })

  it('reads a version 2 record unchanged', () => {
    const envelope = decodeRecorded(stored('FaceCheckRecorded', examples.FaceCheckRecorded, metadataAt(2)))
    expect(envelope.data).toEqual(examples.FaceCheckRecorded)
    expect(envelope.storedSchemaVersion).toBe(2)
  })

  it('checks version 1 data against the version 1 shape before converting it', () => {
    const error = caught(() =>
      decodeRecorded(stored('FaceCheckRecorded', { ...v1, score: 0.87 }, metadataAt(1))),
    )
    expect(error.code).toBe('TREC_INVALID_EVENT')
    expect(error.issues.map((i) => i.path.join('.'))).toContain('data.score')
    expect(error.details).toMatchObject({ type: 'FaceCheckRecorded', schemaVersion: 1 })
  })

  it('refuses version 2 data stored under version 1', () => {
    const error = caught(() =>
      decodeRecorded(stored('FaceCheckRecorded', examples.FaceCheckRecorded, metadataAt(1))),
    )
    expect(error.code).toBe('TREC_INVALID_EVENT')
  })
})

describe('decodeRecorded', () => {
  it('refuses an event type the catalogue does not know', () => {
    const error = caught(() => decodeRecorded(stored('FaceCheckPerformed', v1, metadataAt(1))))
    expect(error.code).toBe('TREC_UNKNOWN_EVENT_TYPE')
    expect(error.details).toMatchObject({ type: 'FaceCheckPerformed' })
  })

  it('refuses a schema version newer than this code knows', () => {
    const error = caught(() =>
      decodeRecorded(stored('FaceCheckRecorded', examples.FaceCheckRecorded, metadataAt(3))),
    )
    expect(error.code).toBe('TREC_UNSUPPORTED_SCHEMA_VERSION')
    expect(error.details).toMatchObject({ schemaVersion: 3, currentVersion: 2 })
  })

  it('refuses a record without a usable schema version', () => {
    for (const schemaVersion of [undefined, 0, 1.5, '2']) {
      const error = caught(() =>
        decodeRecorded(
          stored('FaceCheckRecorded', examples.FaceCheckRecorded, { ...metadataAt(2), schemaVersion }),
        ),
      )
      expect(error.code).toBe('TREC_INVALID_EVENT')
      expect(error.issues[0]?.path).toEqual(['metadata', 'schemaVersion'])
    }
  })

  it('refuses a record whose metadata is broken', () => {
    const error = caught(() =>
      decodeRecorded(
        stored('FaceCheckRecorded', examples.FaceCheckRecorded, { ...metadataAt(2), region: '2301' }),
      ),
    )
    expect(error.code).toBe('TREC_INVALID_EVENT')
    expect(error.issues.map((i) => i.path.join('.'))).toContain('metadata.region')
  })

  it('ignores metadata fields it does not know, so history written by a newer writer still reads', () => {
    const envelope = decodeRecorded(
      stored('FaceCheckRecorded', examples.FaceCheckRecorded, { ...metadataAt(2), deviceSignature: 'abc' }),
    )
    expect(envelope).not.toHaveProperty('deviceSignature')
  })

  it('refuses a version with no upcaster to the next one', () => {
    const thing = defineEvent({
      type: 'ThingHappened',
      version: 3,
      context: 'training',
      category: 'class',
      key: 'class',
      summary: 'test only',
      schema: z.strictObject({ class: z.string(), n: z.int() }),
      upcasters: [
        upcaster(2, z.strictObject({ class: z.string(), m: z.int() }), (d) => ({ class: d.class, n: d.m })),
      ],
    })
    const codec = createCodec([thing])
    expect(codec.decodeRecorded(stored('ThingHappened', { class: 'c', m: 4 }, metadataAt(2))).data).toEqual({
      class: 'c',
      n: 4,
    })
    const error = caught(() => codec.decodeRecorded(stored('ThingHappened', { class: 'c' }, metadataAt(1))))
    expect(error.code).toBe('TREC_UNSUPPORTED_SCHEMA_VERSION')
    expect(error.details).toMatchObject({ missingFrom: 1 })
  })

  it('returns the store fields and the metadata as one envelope', () => {
    const appended = toEventToAppend({ type: 'FaceCheckRecorded', data: examples.FaceCheckRecorded }, meta)
    const envelope: Envelope = decodeRecorded({
      ...stored(appended.type, appended.data, appended.metadata, 7),
      id: appended.id,
    })
    expect(envelope).toEqual({
      id: appended.id,
      stream: `attendance-${worker}`,
      revision: 7,
      position: 1234n,
      type: 'FaceCheckRecorded',
      schemaVersion: 2,
      storedSchemaVersion: 2,
      occurredAt: meta.occurredAt,
      recordedAt: '2024-04-08T00:27:42.105Z',
      actor: meta.actor,
      source: meta.source,
      region: meta.region,
      correlationId: meta.correlationId,
      data: examples.FaceCheckRecorded,
    })
  })
})
