import { cardNumberCheckCharacter } from '@trec/privacy'
import type { Json } from './http.ts'

// Invalid request bodies generated from a route's JSON schema (as the OpenAPI document states
// it) and a valid example body: for each property, values of each JSON type the schema does not
// accept; each required property left out; an unknown property; a string far over any length
// limit; bad citizen ID numbers where one is taken. Each mutation says which path the answer must
// name, so a test can check the server blamed the right field.

export type JsonSchema = Record<string, Json>

export interface Mutation {
  name: string
  /** The body to send; a string is sent as it is (it is already JSON text). */
  body: unknown
  /** The body path the answer's `errors` must name (a prefix of an issue's path after `body`). */
  path: (string | number)[]
  /** The issue code expected there, when it is known. */
  code?: string
}

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object'

const samples: Record<JsonType, unknown> = {
  null: null,
  boolean: true,
  integer: 7,
  number: 7.25,
  string: 'not-the-right-type',
  array: [],
  object: {},
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value as JsonType
}

/** Follows `$ref`s into the document's components. */
export function resolve(doc: JsonSchema, schema: JsonSchema): JsonSchema {
  let s = schema
  for (let i = 0; s?.$ref && i < 20; i++) {
    const parts = (s.$ref as string).replace(/^#\//, '').split('/')
    s = parts.reduce((node: Json, key) => node?.[key], doc)
  }
  return s ?? {}
}

/** The JSON types a schema can accept, or undefined when it does not say (any). */
export function acceptedTypes(doc: JsonSchema, schema: JsonSchema): Set<JsonType> | undefined {
  const s = resolve(doc, schema)
  let out: Set<JsonType> | undefined
  if (s.const !== undefined) out = new Set([typeOf(s.const)])
  else if (Array.isArray(s.enum)) out = new Set(s.enum.map(typeOf))
  else if (s.type !== undefined) out = new Set([s.type].flat() as JsonType[])
  else {
    const members = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined
    if (members) {
      out = new Set()
      for (const m of members) {
        const t = acceptedTypes(doc, m)
        if (!t) return undefined
        for (const x of t) out.add(x)
      }
    } else if (Array.isArray(s.allOf) && s.allOf.length > 0) out = acceptedTypes(doc, s.allOf[0])
  }
  if (!out) return undefined
  if (s.nullable === true) out.add('null')
  if (out.has('number')) out.add('integer')
  return out
}

function setAt(body: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  const copy = structuredClone(body) as Record<string, Json>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key]
  const last = path[path.length - 1]!
  if (remove) delete node[last]
  else node[last] = value
  return copy
}

/** A valid citizen ID number made invalid in each way the card-number check names. */
export function badCardNumbers(valid: string): { value: string; code: string }[] {
  const first17 = valid.slice(0, 17)
  const wrongCheck = cardNumberCheckCharacter(first17) === '0' ? '1' : '0'
  const withCheck = (s: string) => s + cardNumberCheckCharacter(s)
  return [
    { value: first17 + wrongCheck, code: 'invalid_check_digit' },
    { value: valid.slice(0, 15), code: 'wrong_length' },
    { value: `A${valid.slice(1)}`, code: 'invalid_characters' },
    { value: withCheck(`${valid.slice(0, 6)}19901332${valid.slice(14, 17)}`), code: 'invalid_birth_date' },
    { value: withCheck(`0${valid.slice(1, 17)}`), code: 'invalid_region' },
  ]
}

/** Longer than any limit a field of a JSON API should have, yet well under the body limit. */
export const farTooLong = 'x'.repeat(200_000)

/** Values of the right type that break a bound the schema states: range, length, count. */
function outOfBounds(
  doc: JsonSchema,
  schema: JsonSchema,
  value: unknown,
): { name: string; value: unknown }[] {
  const s = resolve(doc, schema)
  const out: { name: string; value: unknown }[] = []
  if (typeof s.minimum === 'number') out.push({ name: 'below its minimum', value: s.minimum - 1 })
  if (typeof s.exclusiveMinimum === 'number')
    out.push({ name: 'at its exclusive minimum', value: s.exclusiveMinimum })
  if (typeof s.maximum === 'number') out.push({ name: 'above its maximum', value: s.maximum + 1 })
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push({ name: 'empty', value: '' })
  if (Array.isArray(s.enum) && s.enum.every((e: unknown) => typeof e === 'string'))
    out.push({ name: 'not one of its values', value: 'zz-not-a-member' })
  if ((s.pattern !== undefined || s.format !== undefined) && s.enum === undefined)
    out.push({ name: 'of the wrong form', value: '%% not the form %%' })
  if (typeof s.minItems === 'number' && s.minItems > 0) out.push({ name: 'with too few items', value: [] })
  if (typeof s.maxItems === 'number' && s.maxItems <= 2000 && Array.isArray(value) && value.length > 0)
    out.push({
      name: 'with too many items',
      value: Array.from({ length: s.maxItems + 1 }, (_, i) => value[i % value.length]),
    })
  return out
}

export function invalidBodies(doc: JsonSchema, schema: JsonSchema, valid: unknown): Mutation[] {
  const out: Mutation[] = []
  // The whole body of another JSON type than an object.
  for (const type of ['null', 'array', 'string', 'integer'] as const)
    out.push({ name: `a body of type ${type}`, body: JSON.stringify(samples[type]), path: [] })
  const walk = (s: JsonSchema, value: unknown, path: (string | number)[], depth: number) => {
    const object = resolve(doc, s)
    const properties = object.properties as Record<string, JsonSchema> | undefined
    if (!properties || typeof value !== 'object' || value === null || Array.isArray(value)) return
    const at = path.length === 0 ? 'body' : path.join('.')
    if (object.additionalProperties === false)
      out.push({ name: `unknown field in ${at}`, body: setAt(valid, [...path, 'zzUnknown'], 1), path })
    for (const name of (object.required ?? []) as string[])
      if (name in value)
        out.push({
          name: `${[...path, name].join('.')} missing`,
          body: setAt(valid, [...path, name], 0, true),
          path: [...path, name],
        })
    for (const [name, property] of Object.entries(properties)) {
      const p = [...path, name]
      const label = p.join('.')
      const types = acceptedTypes(doc, property)
      if (types)
        for (const [type, sample] of Object.entries(samples) as [JsonType, unknown][])
          if (!types.has(type))
            out.push({ name: `${label} as ${type}`, body: setAt(valid, p, sample), path: p })
      if (types?.has('string'))
        out.push({ name: `${label} far too long`, body: setAt(valid, p, farTooLong), path: p })
      if (name === 'cardNumber' && typeof (value as Record<string, unknown>)[name] === 'string')
        for (const bad of badCardNumbers((value as Record<string, string>)[name]!))
          out.push({
            name: `${label} ${bad.code}`,
            body: setAt(valid, p, bad.value),
            path: p,
            code: bad.code,
          })
      const child = (value as Record<string, unknown>)[name]
      for (const bad of outOfBounds(doc, property, child))
        out.push({ name: `${label} ${bad.name}`, body: setAt(valid, p, bad.value), path: p })
      if (depth >= 3 || child === undefined) continue
      const resolved = resolve(doc, property)
      if (Array.isArray(child) && child.length > 0 && resolved.items) {
        // The first item: of a wrong type, and (for objects) walked like the body.
        const item = [...p, 0]
        const itemTypes = acceptedTypes(doc, resolved.items)
        if (itemTypes)
          for (const [type, sample] of Object.entries(samples) as [JsonType, unknown][])
            if (!itemTypes.has(type))
              out.push({ name: `${item.join('.')} as ${type}`, body: setAt(valid, item, sample), path: item })
        walk(resolved.items, child[0], item, depth + 1)
      } else walk(property, child, p, depth + 1)
    }
  }
  walk(schema, valid, [], 0)
  return out
}
