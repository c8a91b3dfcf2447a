// Failed checks read as plain words naming what was expected, never zod's "received undefined".

import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toIssues } from '../src/index.ts'

const schema = z
  .object({
    name: z.string().min(1),
    code: z.string().length(6),
    count: z.number().int().min(1).max(10),
    tags: z.array(z.string()).min(2),
    kind: z.enum(['a', 'b']),
    day: z.iso.date(),
    at: z.iso.datetime({ offset: true }),
    id: z.uuid(),
    region: z.string().regex(/^\d{6}$/, 'six digits'),
  })
  .strict()

const messages = (input: unknown) =>
  Object.fromEntries(
    toIssues(schema.safeParse(input).error!.issues).map((i) => [i.path.join('.'), i.message]),
  )

describe('plain-words messages for failed checks', () => {
  it('says what is missing and what was expected, and what was sent instead', () => {
    expect(messages({ count: 'three', tags: {} })).toMatchObject({
      name: 'missing: expected text',
      count: 'expected a number, got text',
      tags: 'expected a list, got an object',
    })
  })

  it('states bounds, choices and formats in words', () => {
    expect(
      messages({
        name: '',
        code: '1234567',
        count: 11,
        tags: ['x'],
        kind: 'c',
        day: '2024-13-01',
        at: '2024-03-01 09:00',
        id: 'x',
        region: '13',
        extra: 1,
      }),
    ).toEqual({
      name: 'must not be empty',
      code: 'must have exactly 6 characters',
      count: 'must be at most 10',
      tags: 'must have at least 2 items',
      kind: 'must be one of "a", "b"',
      day: 'expected a date as YYYY-MM-DD, e.g. 2024-03-01',
      at: 'expected a date and time with its offset, e.g. 2024-03-01T09:00:00+08:00',
      id: 'expected a UUID, e.g. 0192b8a4-3c1e-7000-8000-000000000000',
      region: 'six digits',
      extra: 'unknown field "extra"',
    })
  })

  it('leaves no message in zod’s own words', () => {
    const all = Object.values(messages({ count: 0.5, tags: [1, 2] }))
    for (const m of all) expect(m).not.toMatch(/Invalid input|received|Too small|Too big|>=|<=/)
    expect(all).toContain('expected a whole number, got a number')
  })
})
