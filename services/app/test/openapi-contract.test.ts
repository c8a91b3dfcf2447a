import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { contractFindings } from '../src/openapi-contract.ts'
import { formatOpenapi, openapiDocument } from '../src/openapi-document.ts'

// The OpenAPI document the composed app serves is the contract integrators generate clients
// from: every operation named, described and answered with named schemas and examples, and the
// document committed in docs/openapi.json, so that a change to it shows in review.

const root = join(import.meta.dirname, '../../..')
const committedPath = join(root, 'docs/openapi.json')

interface RedoclyProblem {
  ruleId: string
  severity: string
  message: string
  location: { pointer: string }[]
}

/**
 * Redocly's lint (redocly.yaml: the recommended rules, every warning an error) on a document, as
 * `pnpm lint:api` runs it, each problem with the operation it lies in (`POST /v1/claims`), or
 * where it lies when that is not in an operation (`#/components/...`).
 */
function redoclyProblems(doc: unknown): { where: string; problem: RedoclyProblem }[] {
  const dir = mkdtempSync(join(tmpdir(), 'trec-openapi-lint-'))
  try {
    const file = join(dir, 'openapi.served.json')
    writeFileSync(file, formatOpenapi(doc))
    const run = spawnSync(
      join(root, 'node_modules/.bin/redocly'),
      // Every problem (Redocly reports the first 100 unless told otherwise).
      ['lint', file, '--format=json', '--max-problems=100000', `--config=${join(root, 'redocly.yaml')}`],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    )
    if (run.status !== 0 && run.status !== 1) throw new Error(`redocly lint failed to run: ${run.stderr}`)
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number }
      problems: RedoclyProblem[]
    }
    expect(report.problems.length, 'Redocly listed fewer problems than it counted').toBe(
      report.totals.errors + report.totals.warnings,
    )
    return report.problems.map((problem) => {
      const pointer = problem.location[0]?.pointer ?? '#'
      const [, top, path, method] = pointer
        .split('/')
        .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
      const where = top === 'paths' && path && method ? `${method.toUpperCase()} ${path}` : pointer
      return { where, problem }
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the OpenAPI contract', () => {
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
  let doc: Record<string, any>

  beforeAll(async () => {
    doc = await openapiDocument()
  }, 60_000)

  it('names, tags, summarises and describes every operation, with named bodies and example answers', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThan(50)
    expect(contractFindings(doc)).toEqual([])
  })

  it('states the standard refusals as problem+json, and the roles of each operation', () => {
    const problem = doc.components.schemas.Problem
    expect(problem.properties.code.enum).toContain('TREC_VALIDATION')
    const lookup = doc.paths['/v1/archive/lookup'].post
    expect(lookup['x-roles']).toEqual(['card_service', 'investigator'])
    for (const status of ['400', '401', '403', '409', '415', '429', '503'])
      expect(lookup.responses[status]?.$ref, status).toMatch(/^#\/components\/responses\//)
    for (const answer of Object.values(doc.components.responses) as { content: Record<string, unknown> }[])
      expect(answer.content['application/problem+json']).toMatchObject({
        schema: { $ref: '#/components/schemas/Problem' },
        example: { code: expect.any(String) },
      })
    expect(doc.servers.length).toBeGreaterThan(0)
    expect(doc.info.license.name).toBeTruthy()
    expect(doc.info.contact.name).toBeTruthy()
  })

  it("passes Redocly's recommended rules with no error or warning", (ctx) => {
    // What `pnpm lint:api` reports, as a gate: any problem fails.
    const problems = redoclyProblems(doc)
    ctx.annotate(`Redocly: ${problems.length} problems`)
    expect(
      problems.map(({ where, problem }) => `${where}: ${problem.ruleId}: ${problem.message}`),
      'Redocly lint problems (see `pnpm lint:api`)',
    ).toEqual([])
  }, 60_000)

  it('is the document committed in docs/openapi.json', () => {
    let committed = ''
    try {
      committed = readFileSync(committedPath, 'utf8')
    } catch {}
    expect(
      committed === formatOpenapi(doc),
      'docs/openapi.json differs from the document the app serves: run `pnpm openapi:write` and commit docs/openapi.json',
    ).toBe(true)
  })
})
