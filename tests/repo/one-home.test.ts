// Helpers that drift when copied have one home each (issue 23). Each guard below names the home,
// the tell-tale signs of a second implementation, and the files allowed to show them; a file
// anywhere else in the tree that shows one fails the test with its line. Tests are not scanned
// (they spell expected values out on purpose); test supports are, for the calendar day.
//
// The homes:
//   China calendar day   chinaDay of @trec/core (packages/core/src/china-time.ts)
//   quarter              quarterOf, quarterPattern of @trec/core: one spelling, `2021Q2`
//   region matching      regionPrefix, regionCovers, underPrefix of @trec/contracts
//   actor from a token   actorOf of @trec/fastify-kit (principal.ts), the token read in auth.ts
//   Idempotency-Key      read by @trec/fastify-kit only; a read refuses it with refuseIdempotencyKey
//   service options      parseServiceOptions of @trec/contracts, whose message every failure shares

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

const tracked = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.mjs'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((f) => f !== '' && !f.endsWith('.test.ts') && !f.includes('node_modules/'))

/** Test supports, fixtures, benchmarks and tests' own helpers: scanned by the calendar-day guard only. */
const testSide = (f: string) => /(^|\/)(test|test-support|tests|bench)\//.test(f)
const source = tracked.filter((f) => !testSide(f))

interface Guard {
  /** What has one home. */
  idea: string
  /** Files (or folders, ending in `/`) allowed to show the signs: the home, and each exception with its reason. */
  allowed: Record<string, string>
  /** Signs of a second implementation, each matched against every line. */
  signs: RegExp[]
  files: readonly string[]
}

const eightHours = [
  // 8 h in milliseconds or seconds, however it is spelled, or 8 times an hour constant.
  /\b8 \* 3_?600_?000\b|\b8 \* 3600 \* 1_?000\b|\b8 \* 60 \* 60 \* 1_?000\b|\b28_?800_?000\b/,
  /\b8 \* 3_?600\b(?! \* 1_?000)(?!_?000)/,
  /\b8 \* (hour|HOUR)\w*\b|\b(hour|HOUR)\w* \* 8\b/,
  /Asia\/Shanghai/,
]

const guards: Guard[] = [
  {
    idea: 'the calendar day in China',
    allowed: {
      'packages/core/src/china-time.ts': 'the home: chinaDay',
      'services/app/console/format.js':
        'the browser console shows instants in China time through Intl (it cannot import @trec/core)',
    },
    signs: eightHours,
    files: tracked,
  },
  {
    idea: 'the quarter and its spelling',
    allowed: { 'packages/core/src/china-time.ts': 'the home: quarterOf and quarterPattern' },
    signs: [
      /Q\$\{/, // `${year}Q${n}` or `${year}-Q${n}` built by hand
      /\/ 3\) \+ 1|Math\.(ceil|floor)\([\w.()]*month[\w.()]* \/ 3\)/i, // month → quarter arithmetic
      /\\d\{4\}-?Q/, // a pattern of the spelling
    ],
    files: source,
  },
  {
    idea: 'calendar-day arithmetic',
    allowed: { 'packages/core/src/china-time.ts': 'the home: addDays' },
    signs: [/\* 86_?400_?000\)\.toISOString\(\)\.slice\(0, 10\)/],
    files: source,
  },
  {
    idea: 'region-prefix matching',
    allowed: { 'packages/contracts/src/primitives.ts': 'the home: regionPrefix, regionCovers, underPrefix' },
    signs: [
      /endsWith\('00'\)/, // trailing zero pairs cut by hand: a second regionPrefix
      /\.startsWith\((regionPrefix\(|[\w.?!]*\b(region|province|area)\w*\b)/i, // x.startsWith(prefix)
      /\b\w*(region|province)\w*[?!]?\.startsWith\(/i, // region.startsWith(prefix)
    ],
    files: source,
  },
  {
    idea: 'the actor and the principal from a token',
    allowed: {
      'packages/fastify-kit/src/principal.ts': 'the home: principalOf and actorOf',
      'packages/fastify-kit/src/auth.ts': 'verifies the token and puts the principal on the request',
      'packages/fastify-kit/src/idempotency.ts': 'keys stored answers by the whole principal',
      'packages/fastify-kit/src/protection.ts': 'keys rate limits by the whole principal',
    },
    signs: [
      /\brequest\.(user|principal)\b/, // the raw principal, around principal(request)
      /\bkind: \w+\.role\s*(,|\}|$)/, // an actor built by hand
      /\bprincipalOf\(/, // claims turned into a principal a second time
      /function actorOf\b|const actorOf\b/, // a second actorOf
    ],
    files: source,
  },
  {
    idea: 'the Idempotency-Key header and a read’s refusal of it',
    allowed: {
      'packages/fastify-kit/src/idempotency.ts': 'the home: commands replayed by their key',
      'packages/fastify-kit/src/refuse-idempotency-key.ts': 'the home: a read refuses the key',
      'packages/fastify-kit/src/screening.ts': 'screens the key for card numbers like every input',
      'packages/generator/src/live/api.ts': 'a client of the API: sends a key with each command',
    },
    signs: [/\[['"]idempotency-key['"]\]/, /send it without an Idempotency-Key/],
    files: source,
  },
  {
    idea: 'how service options are checked and refused',
    allowed: {
      'packages/contracts/src/service-options.ts': 'the home: parseServiceOptions, objectWith, clockOption',
    },
    signs: [
      /['"`]invalid [\w ${}.-]*options\b/,
      /\bz\s*\.custom<(EventStore|SqlExecutor|KeyRing)>/,
      /\bOptionsSchema\.safeParse\(|\boptionsSchema\.safeParse\(/i,
    ],
    files: source,
  },
]

const isAllowed = (guard: Guard, file: string) =>
  Object.keys(guard.allowed).some((a) => (a.endsWith('/') ? file.startsWith(a) : file === a))

/** Every `file:line: text` outside the allowed files that shows one of the guard's signs. */
function secondImplementations(guard: Guard, read = (f: string) => readFileSync(join(root, f), 'utf8')) {
  const found: string[] = []
  for (const file of guard.files) {
    if (isAllowed(guard, file)) continue
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if (guard.signs.some((sign) => sign.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`)
      })
  }
  return found
}

describe('one home for each helper', () => {
  for (const guard of guards)
    it(`has no second implementation of ${guard.idea}`, () => {
      expect(secondImplementations(guard)).toEqual([])
    })

  // Each guard can fail: a copy planted outside the home (as the tree had them) is found.
  const planted: Record<string, string[]> = {
    'the calendar day in China': [
      'return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)',
      'return new Date(ms + 8 * hourMs).toISOString().slice(0, 10)',
      "new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })",
    ],
    'the quarter and its spelling': [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a planted line of source text
      'return `${date.slice(0, 4)}-Q${Math.ceil(month / 3)}`',
      'const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1',
      'export const quarterPattern = /^\\d{4}Q[1-4]$/',
    ],
    'calendar-day arithmetic': [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a planted line of source text
      'const last = new Date(Date.parse(`${today}T00:00:00Z`) + (days - 1) * 86_400_000).toISOString().slice(0, 10)',
    ],
    'region-prefix matching': [
      "while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2)",
      'if (!region.startsWith(set.region)) continue',
      'return inner.startsWith(regionPrefix(outer))',
    ],
    'the actor and the principal from a token': [
      'const actor = { kind: p.role, id: p.subject }',
      'const who = request.principal.subject',
      'export function actorOf(p: Principal): Actor {',
    ],
    'the Idempotency-Key header and a read’s refusal of it': [
      "if (request.headers['idempotency-key'] !== undefined)",
      "throw new TrecError('TREC_VALIDATION', 'this is a read: send it without an Idempotency-Key')",
    ],
    'how service options are checked and refused': [
      "throw new Error('invalid oversight options: store must be an EventStore')",
      'const parsed = optionsSchema.safeParse(options)',
      "store: z.custom<EventStore>((s) => typeof s?.append === 'function', 'must be an EventStore'),",
    ],
  }
  it('finds a copy planted outside the home, for every guard', () => {
    expect(Object.keys(planted).sort()).toEqual(guards.map((g) => g.idea).sort())
    for (const guard of guards)
      for (const line of planted[guard.idea]!) {
        const file = 'services/somewhere/src/copy.ts'
        expect(
          secondImplementations({ ...guard, files: [file] }, () => line),
          line,
        ).toEqual([`${file}:1: ${line}`])
      }
  })

  it('allows only files that exist, each with its reason (a stale exception is removed)', () => {
    for (const guard of guards)
      for (const [path, reason] of Object.entries(guard.allowed)) {
        expect(reason.length, `${guard.idea}: ${path}`).toBeGreaterThan(10)
        expect(existsSync(join(root, path)), `${guard.idea}: ${path} is allowed but does not exist`).toBe(
          true,
        )
      }
  })
})
