import type { Issue } from '@trec/core'
import type { z } from 'zod'

/**
 * zod issues as the project's `{ path, code, message }` (docs/errors.md), under `prefix`. An
 * unknown-keys issue is split into one issue per key, each naming the key in its path, so a
 * client sees exactly which field to remove.
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
    else out.push({ path, code: issue.code, message: issue.message })
  }
  return out
}
