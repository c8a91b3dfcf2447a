import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import type { JourneyInput, JourneyResult } from './journey.ts'

// The TypeScript client, made the way an integrator makes it: openapi-typescript turns the
// committed contract into types (generated/ts/trec-api.ts, git-ignored), tsc compiles the journey
// in ts/ against them, and the journey runs with openapi-fetch.

const root = join(import.meta.dirname, '../..')
const generated = join(import.meta.dirname, 'generated/ts/trec-api.ts')

/** Writes the types of docs/openapi.json to generated/ts/trec-api.ts. */
export async function generateTypeScriptClient(): Promise<void> {
  const ast = await openapiTS(pathToFileURL(join(root, 'docs/openapi.json')))
  mkdirSync(join(generated, '..'), { recursive: true })
  writeFileSync(generated, astToString(ast))
}

/** tsc on ts/ (the journey and the generated types): its status and what it printed. */
export function compileTypeScriptJourney(): { status: number | null; output: string } {
  const run = spawnSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(import.meta.dirname, 'ts/tsconfig.json')],
    { cwd: root, encoding: 'utf8' },
  )
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

/** The compiled journey (loaded by path: the root typecheck leaves ts/ to its own tsconfig). */
export async function typeScriptJourney(): Promise<(input: JourneyInput) => Promise<JourneyResult>> {
  const module = (await import(pathToFileURL(join(import.meta.dirname, 'ts/journey.ts')).href)) as {
    tsJourney: (input: JourneyInput) => Promise<JourneyResult>
  }
  return module.tsJourney
}
