import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { toIssues } from '@trec/contracts'
import { type Issue, TrecError } from '@trec/core'
import { type RuleSet, ruleSetConflicts, ruleSetSchema } from '../domain/rule-set.ts'

// Rule sets live as JSON files, one set per file, checked against the schema when the service
// starts: a rule set that does not parse stops the service instead of paying by a guess.

/** Reads and checks every `*.json` in a directory, in name order. */
export function loadRuleSets(dir: string): RuleSet[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  return checkRuleSets(
    files.map((file) => ({
      source: file,
      value: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown,
    })),
  )
}

/** Checks rule sets from any source; throws TREC_VALIDATION naming each file and path that fails. */
export function checkRuleSets(inputs: readonly { source: string; value: unknown }[]): RuleSet[] {
  const issues: Issue[] = []
  const sets: RuleSet[] = []
  for (const { source, value } of inputs) {
    const parsed = ruleSetSchema.safeParse(value)
    if (parsed.success) sets.push(parsed.data)
    else issues.push(...toIssues(parsed.error.issues, [source]))
  }
  for (const problem of ruleSetConflicts(sets)) issues.push({ path: [], code: 'conflict', message: problem })
  if (issues.length > 0) throw new TrecError('TREC_VALIDATION', 'invalid subsidy rule sets', { issues })
  return sets
}
