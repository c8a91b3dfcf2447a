import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  currentVersion,
  type DomainEvent,
  defineEvent,
  describeCatalogue,
  eventDefinitions,
  eventTypes,
  isEventType,
  isValidUscc,
  schemaFor,
  streamCategories,
  streamFor,
  upcaster,
  usccCheckCharacter,
} from '../src/index.ts'
import { examples, worker } from './fixtures.ts'

describe('the registry', () => {
  it('lists each event type once, under its own name', () => {
    expect(new Set(eventTypes).size).toBe(eventTypes.length)
    expect(Object.keys(eventDefinitions).sort()).toEqual([...eventTypes].sort())
    for (const [name, definition] of Object.entries(eventDefinitions)) expect(definition.type).toBe(name)
  })

  it('names every event type in PascalCase, in the past tense of what happened', () => {
    for (const type of eventTypes) expect(type).toMatch(/^[A-Z][a-z]+([A-Z][a-z]+)*(ed|Paid|Back|Withdrawn)$/)
  })

  it('files every event in a stream category its own context owns', () => {
    for (const { type, context, category } of describeCatalogue())
      expect([type, streamCategories[category]]).toEqual([type, context])
  })

  it('answers the current version and schema of a type', () => {
    expect(currentVersion('FaceCheckRecorded')).toBe(2)
    expect(currentVersion('ClassOpened')).toBe(1)
    expect(schemaFor('ClassClosed')).toBe(eventDefinitions.ClassClosed.schema)
    expect(isEventType('ClassClosed')).toBe(true)
    expect(isEventType('toString')).toBe(false)
  })

  it('refuses to answer for an unknown type with TREC_UNKNOWN_EVENT_TYPE', () => {
    expect(() => currentVersion('SubsidyDisbursed')).toThrow(
      expect.objectContaining({ code: 'TREC_UNKNOWN_EVENT_TYPE', details: { type: 'SubsidyDisbursed' } }),
    )
  })

  it.each([
    ['FaceCheckRecorded', `attendance-${worker}`],
    ['InstitutionDesignated', 'institution-inst-130100-0042'],
    ['ProgrammePublished', 'catalogue-130100'],
    ['ClassOpened', 'class-cls-2024-0315'],
    ['WorkerEnrolled', `training-${worker}`],
    ['CertificateIssued', `assessment-${worker}`],
    ['SubsidyPaid', `subsidy-${worker}`],
    ['AdvancePaid', 'advance-cls-2024-0315'],
  ] as const)('files %s in %s', (type, stream) => {
    expect(streamFor({ type, data: examples[type] } as DomainEvent)).toBe(stream)
  })

  it('keys every stream by a value the event store accepts as a stream id', () => {
    for (const type of eventTypes)
      expect(streamFor({ type, data: examples[type] } as DomainEvent)).toMatch(
        /^[a-z][a-z0-9_]{0,39}-[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
      )
  })
})

describe('defineEvent', () => {
  const base = {
    type: 'ThingHappened',
    context: 'training',
    category: 'class',
    key: 'class',
    summary: 'test only',
    schema: z.strictObject({ class: z.string() }),
  } as const

  it('refuses a category another context owns', () => {
    expect(() => defineEvent({ ...base, category: 'subsidy' })).toThrow(/does not own the subsidy streams/)
  })

  it('refuses an upcaster that does not lead below the current version', () => {
    expect(() => defineEvent({ ...base, upcasters: [upcaster(1, z.object({}), (d) => d)] })).toThrow(
      /does not lead/,
    )
    expect(() =>
      defineEvent({
        ...base,
        version: 2,
        upcasters: [upcaster(1, z.object({}), (d) => d), upcaster(1, z.object({}), (d) => d)],
      }),
    ).toThrow(/two upcasters/)
  })

  it('refuses a type name that is not PascalCase', () => {
    expect(() => defineEvent({ ...base, type: 'thing_happened' })).toThrow(/PascalCase/)
  })
})

describe('统一社会信用代码 check character (GB 32100-2015)', () => {
  it('accepts the widely cited sample code', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true)
  })

  it('accepts exactly one check character for any 17-character body', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'.split('')
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 17, maxLength: 17 }), (chars) => {
        const body = chars.join('')
        const valid = alphabet.filter((c) => isValidUscc(body + c))
        expect(valid).toEqual([usccCheckCharacter(body)])
      }),
    )
  })

  it('catches any single changed character', () => {
    const code = '91350100M000100Y43'
    for (let i = 0; i < 17; i++)
      for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY')
        if (c !== code[i]) expect(isValidUscc(code.slice(0, i) + c + code.slice(i + 1))).toBe(false)
  })
})
