import { sealSchemeNames } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { eventDefinitions, sealedValueSchema } from '../src/index.ts'

// docs/architecture.md, "Identity and personal data": names, ID numbers, phone numbers and bank
// accounts inside events are sealed under the worker's data key. This walks every schema in the
// catalogue (current, append and every older version an upcaster reads) and finds each field
// named like personal data; each must accept only the sealed shape.

/** Field names that hold personal data, matched on the end of the name, case-insensitively. */
const personalField = /(name|idnumber|idcard|phone|mobile|bankaccount|cardnumber|accountnumber)$/i

/** Fields that match the pattern but name an organisation or a thing, not a person. */
const notPersonal = new Set([
  'InstitutionDesignated.legalName',
  // The catalogues print an institution's or an evaluation body's name (docs/domain.md, "Catalogues").
  'ListedInstitutionPublished.legalName',
  'ListedInstitutionAdjusted.changes.legalName',
  'EvaluationBodyPublished.name',
  'EvaluationBodyAdjusted.changes.name',
])

function isSealed(schema: z.ZodType): boolean {
  let s: z.ZodType = schema
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType
  if (!(s instanceof z.ZodObject)) return false
  const shape = s.shape as Record<string, z.ZodType>
  const keys = Object.keys(shape).sort()
  const tag = shape.sealed
  return (
    keys.join() === 'ct,iv,kid,sealed' &&
    tag instanceof z.ZodLiteral &&
    tag.values.size === sealSchemeNames.length &&
    sealSchemeNames.every((name) => tag.values.has(name)) &&
    s._zod.def.catchall instanceof z.ZodNever
  )
}

/** Every `{ path, schema }` of an object field under `schema`, through wrappers, arrays and unions. */
function fields(schema: z.ZodType, path: string[] = []): { path: string[]; schema: z.ZodType }[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string }
  switch (def.type) {
    case 'object':
      return Object.entries((schema as z.ZodObject).shape as Record<string, z.ZodType>).flatMap(
        ([key, field]) => [{ path: [...path, key], schema: field }, ...fields(field, [...path, key])],
      )
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return fields(def.innerType as z.ZodType, path)
    case 'array':
      return fields(def.element as z.ZodType, [...path, '[]'])
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => fields(option, path))
    case 'intersection':
      return [...fields(def.left as z.ZodType, path), ...fields(def.right as z.ZodType, path)]
    case 'pipe':
      return [...fields(def.in as z.ZodType, path), ...fields(def.out as z.ZodType, path)]
    case 'record':
      return fields(def.valueType as z.ZodType, [...path, '*'])
    case 'tuple':
      return (def.items as z.ZodType[]).flatMap((item, i) => fields(item, [...path, String(i)]))
    case 'lazy':
      return fields((def.getter as () => z.ZodType)(), path)
    default:
      return []
  }
}

function plaintextPersonalFields(type: string, schema: z.ZodType): string[] {
  return fields(schema)
    .filter(({ path, schema }) => {
      const name = path.at(-1) ?? ''
      return personalField.test(name) && !notPersonal.has(`${type}.${path.join('.')}`) && !isSealed(schema)
    })
    .map(({ path }) => `${type}.${path.join('.')}`)
}

function schemasOf(type: keyof typeof eventDefinitions): z.ZodType[] {
  const definition = eventDefinitions[type]
  return [definition.schema, definition.appendSchema, ...definition.upcasters.map((u) => u.schema)]
}

describe('personal data in events', () => {
  it('is sealed in every field named like it, in every schema of the catalogue', () => {
    const found = Object.keys(eventDefinitions).flatMap((type) =>
      schemasOf(type as keyof typeof eventDefinitions).flatMap((schema) =>
        plaintextPersonalFields(type, schema),
      ),
    )
    expect(found).toEqual([])
  })

  it('is found by the walk when a field is plain text, however deep', () => {
    const bad = z.strictObject({
      worker: z.string(),
      payee: z.strictObject({ accounts: z.array(z.strictObject({ bankAccount: z.string() })).optional() }),
      contact: z.union([z.strictObject({ mobile: z.string() }), z.null()]),
      name: sealedValueSchema.optional(),
      guardianName: z.strictObject({ sealed: z.literal('A256GCM'), kid: z.string(), iv: z.string() }),
    })
    expect(plaintextPersonalFields('Bad', bad)).toEqual([
      'Bad.payee.accounts.[].bankAccount',
      'Bad.contact.mobile',
      'Bad.guardianName',
    ])
  })

  it('walks into the sealed fields the catalogue does have', () => {
    const sealedPaths = fields(eventDefinitions.WorkerEnrolled.schema)
      .filter(({ schema }) => isSealed(schema))
      .map(({ path }) => path.join('.'))
    expect(sealedPaths).toEqual(['name', 'idNumber', 'phone'])
    expect(
      fields(eventDefinitions.SubsidyPaid.schema).some(
        ({ path, schema }) => path.join('.') === 'account.bankAccount' && isSealed(schema),
      ),
    ).toBe(true)
  })
})
