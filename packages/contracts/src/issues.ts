import type { Issue } from '@trec/core'
import type { z } from 'zod'
import './messages.ts'

/**
 * zod issues as the project's `{ path, code, message }` (docs/errors.md), under `prefix`. An
 * unknown-keys issue is split into one issue per key, each naming the key in its path, so a
 * client sees exactly which field to remove. A custom issue that carries `params.reason` (e.g.
 * `cardNumberSchema`'s `invalid_check_digit`) keeps that reason as its code rather than `custom`.
 */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): Issue[] {
  const out: Issue[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')]
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys)
        out.push({
          path: [...path, key],
          code: 'unrecognized_keys',
          message: `unknown field ${JSON.stringify(key)}`,
        })
    else out.push({ path, code: reasonOf(issue) ?? issue.code, message: issue.message })
  }
  return out
}

function reasonOf(issue: z.core.$ZodIssue): string | undefined {
  const reason = issue.code === 'custom' ? issue.params?.reason : undefined
  return typeof reason === 'string' ? reason : undefined
}
