import { isTrecError, type TrecError, uuidPattern } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type DomainEventToAppend,
  decodeRecorded,
  envelopeMetadataSchema,
  eventTypes,
  regionCodeSchema,
  toEventToAppend,
} from '../src/index.ts'
import { examples, meta, stored } from './fixtures.ts'

function caught(f: () => unknown): TrecError {
  try {
    f()
  } catch (error) {
    if (isTrecError(error)) return error
    throw error
  }
  throw new Error('expected a TrecError')
}

const paths = (error: TrecError) => error.issues.map((i) => i.path.join('.'))

const metadata = { schemaVersion: 1, ...meta }

describe('envelope metadata', () => {
  it('accepts the realistic metadata', () => {
    expect(envelopeMetadataSchema.safeParse(metadata).error).toBeUndefined()
  })

  it.each([
    ['a region code of five digits', { region: '13010' }, 'region'],
    ['a region code with letters', { region: '13A100' }, 'region'],
    ['a region code of no province', { region: '000000' }, 'region'],
    ['occurredAt without an offset', { occurredAt: '2024-04-08T08:27:41' }, 'occurredAt'],
    ['occurredAt as a date only', { occurredAt: '2024-04-08' }, 'occurredAt'],
    ['an unknown actor kind', { actor: { kind: 'teacher', id: 't1' } }, 'actor.kind'],
    ['a schema version of 0', { schemaVersion: 0 }, 'schemaVersion'],
    ['a causation id that is not a UUID', { causationId: 'evt-1' }, 'causationId'],
    ['a source with spaces', { source: 'Device Gateway' }, 'source'],
    ['an unknown field', { tenant: 'x' }, ''],
  ])('refuses %s', (_, change, path) => {
    const result = envelopeMetadataSchema.safeParse({ ...metadata, ...change })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path)
  })

  it('accepts every code of a province-level prefix, and refuses one of any other prefix', () => {
    const provinces = new Set(
      '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
        ' ',
      ),
    )
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        const code = String(n).padStart(6, '0')
        expect(regionCodeSchema.safeParse(code).success).toBe(provinces.has(code.slice(0, 2)))
      }),
    )
  })
})

describe('toEventToAppend', () => {
  it.each(eventTypes.map((type) => [type]))('builds a %s the store can append', (type) => {
    const appended = toEventToAppend({ type, data: examples[type] } as DomainEventToAppend, meta)
    expect(appended.type).toBe(type)
    expect(appended.id).toMatch(uuidPattern)
    expect(appended.id[14]).toBe('7')
    expect(appended.data).toEqual(examples[type])
    expect(JSON.parse(JSON.stringify(appended))).toEqual(appended)
    // and reads back as it went in
    expect(decodeRecorded(stored(appended.type, appended.data, appended.metadata)).data).toEqual(
      examples[type],
    )
  })

  it('stamps the current schema version into the metadata', () => {
    const appended = toEventToAppend({ type: 'FaceCheckRecorded', data: examples.FaceCheckRecorded }, meta)
    expect(appended.metadata).toEqual({ ...meta, schemaVersion: 2 })
  })

  it('keeps an id the writer chose, so a retry appends the same event', () => {
    const id = '0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c60'
    expect(toEventToAppend({ type: 'ClassClosed', data: examples.ClassClosed }, { ...meta, id }).id).toBe(id)
  })

  it('leaves out optional fields given as undefined, as JSON would', () => {
    const appended = toEventToAppend(
      { type: 'ClassClosed', data: { ...examples.ClassClosed, note: undefined } },
      meta,
    )
    expect(Object.hasOwn(appended.data, 'note')).toBe(false)
  })

  it('refuses invalid data, naming each failing path under data', () => {
    const error = caught(() =>
      toEventToAppend(
        {
          type: 'FaceCheckRecorded',
          data: {
            ...examples.FaceCheckRecorded,
            matchScore: 1.5,
            place: { lat: 38, lon: 'east' },
            photo: 'x',
          },
        } as unknown as DomainEventToAppend,
        meta,
      ),
    )
    expect(error.code).toBe('TREC_VALIDATION')
    expect(error.status).toBe(400)
    expect(paths(error)).toEqual(expect.arrayContaining(['data.matchScore', 'data.place.lon', 'data.photo']))
    for (const issue of error.issues)
      expect(issue).toEqual({
        path: expect.any(Array),
        code: expect.any(String),
        message: expect.any(String),
      })
  })

  it('refuses invalid metadata and a malformed id in the same answer', () => {
    const error = caught(() =>
      toEventToAppend(
        { type: 'ClassClosed', data: examples.ClassClosed },
        { ...meta, id: 'not-a-uuid', region: '1301', occurredAt: '2024-04-08 08:27' },
      ),
    )
    expect(error.code).toBe('TREC_VALIDATION')
    expect(paths(error)).toEqual(expect.arrayContaining(['id', 'metadata.region', 'metadata.occurredAt']))
  })

  it('refuses an event type the catalogue does not know', () => {
    const error = caught(() =>
      toEventToAppend({ type: 'SubsidyDisbursed', data: {} } as unknown as DomainEventToAppend, meta),
    )
    expect(error.code).toBe('TREC_UNKNOWN_EVENT_TYPE')
    expect(error.details).toEqual({ type: 'SubsidyDisbursed' })
  })
})
