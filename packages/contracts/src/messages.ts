import { z } from 'zod'

// What a user reads when input fails a schema: which field is named by the issue's path, and
// this says what was expected in plain words (zod's defaults say "Invalid input: expected string,
// received undefined"). Installed once for every schema in the process; a schema that gives its
// own message keeps it, since zod prefers a schema's message to this one.

const nouns: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
  null: 'null',
}
const noun = (type: string) => nouns[type] ?? type

function whatWasSent(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'a list'
  return noun(typeof input)
}

const formats: Record<string, string> = {
  date: 'a date as YYYY-MM-DD, e.g. 2024-03-01',
  datetime: 'a date and time with its offset, e.g. 2024-03-01T09:00:00+08:00',
  time: 'a time as HH:MM:SS',
  uuid: 'a UUID, e.g. 0192b8a4-3c1e-7000-8000-000000000000',
  url: 'a URL',
  email: 'an e-mail address',
  base64: 'base64 text',
  base64url: 'base64url text',
}

const units: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
}
const count = (n: number | bigint, origin: string) => {
  const [one, many] = units[origin] ?? ['', '']
  return one ? `${n} ${Number(n) === 1 ? one : many}` : String(n)
}

function bound(
  issue: { origin: string; inclusive?: boolean; exact?: boolean },
  n: number | bigint,
  small: boolean,
) {
  const sized = issue.origin in units
  if (issue.exact) return `must have exactly ${count(n, issue.origin)}`
  if (sized && small && Number(n) === 1) return 'must not be empty'
  const [inclusive, exclusive] = small ? ['at least', 'more than'] : ['at most', 'less than']
  const than = issue.inclusive ? inclusive : exclusive
  return sized ? `must have ${than} ${count(n, issue.origin)}` : `must be ${than} ${n}`
}

/** The plain-words message of a failed check, or undefined to keep zod's own. */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `missing: expected ${noun(issue.expected)}`
        : `expected ${noun(issue.expected)}, got ${whatWasSent(issue.input)}`
    case 'too_small':
      return bound(issue, issue.minimum, true)
    case 'too_big':
      return bound(issue, issue.maximum, false)
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'invalid_format': {
      const expected = formats[issue.format]
      return expected ? `expected ${expected}` : 'is not in the expected format'
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
    case 'invalid_union':
      return 'matches none of the accepted forms'
    case 'invalid_key':
      return 'has a key that is not allowed'
    case 'invalid_element':
      return 'has an entry that is not allowed'
    default:
      return undefined
  }
}

z.config({ customError: plainMessage })
