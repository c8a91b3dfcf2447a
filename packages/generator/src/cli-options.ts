import { type ParseArgsConfig, parseArgs } from 'node:util'

// The generator commands' arguments: `--help` prints the usage, a bad argument stops the
// process with the message and the usage (exit code 2).

export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O) {
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n\n${usage}\n`)
    process.exit(2)
  }
  try {
    // pnpm passes a literal `--` through; npm strips it.
    const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options })
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${usage}\n`)
      process.exit(0)
    }
    return { values, fail }
  } catch (error) {
    return fail((error as Error).message)
  }
}

/** `MIN-MAX` as a pair of whole numbers. */
export function range(text: string | undefined, name: string): [number, number] | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+)-(\d+)$/.exec(text)
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`--${name} must be MIN-MAX, e.g. 18-40, not ${text}`)
  return [Number(m[1]), Number(m[2])]
}

/** A positive number. */
export function positive(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a number above 0, not ${text}`)
  return n
}

/** `--fraud-rate R` for every pattern, then `--fraud PATTERN=R,...` for single ones. */
export function fraudRates<P extends string>(
  patterns: readonly P[],
  rate: string | undefined,
  list: string | undefined,
): Partial<Record<P, number>> | undefined {
  if (rate === undefined && list === undefined) return undefined
  const out: Partial<Record<P, number>> = {}
  if (rate !== undefined) for (const p of patterns) out[p] = Number(rate)
  for (const item of list?.split(',').filter(Boolean) ?? []) {
    const [pattern, value] = item.split('=')
    if (!patterns.includes(pattern as P))
      throw new Error(`unknown fraud pattern ${pattern}; the patterns are ${patterns.join(', ')}`)
    out[pattern as P] = Number(value)
  }
  for (const [p, r] of Object.entries(out))
    if (!Number.isFinite(r) || (r as number) < 0 || (r as number) > 1)
      throw new Error(`the rate of ${p} must be between 0 and 1`)
  return out
}
