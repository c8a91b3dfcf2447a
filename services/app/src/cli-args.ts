import { type ParseArgsConfig, parseArgs } from 'node:util'

// The development commands' arguments (token, attest): parsed from argv, `--help` printing the
// usage, and a bad argument stopping the process with the message and the usage (exit code 2).

/** The parsed values, and `fail`, which stops the process with a message and the usage (exit code 2). */
export function parseCli<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O) {
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`)
    process.exit(2)
  }
  let values: ReturnType<typeof parseArgs<{ options: O }>>['values']
  try {
    // pnpm passes a literal `--` through; npm strips it.
    values = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options }).values
  } catch (error) {
    fail((error as Error).message)
  }
  if ((values! as { help?: boolean }).help) {
    console.log(usage)
    process.exit(0)
  }
  return { values: values!, fail }
}
