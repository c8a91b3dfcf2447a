export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/**
 * Returns the issues that make `value` something other than plain JSON: undefined, functions,
 * symbols, bigints, non-finite numbers, class instances, cycles. Event payloads must survive a
 * JSON round trip unchanged, or the stored history would differ from what was decided on.
 */
export function jsonIssues(value: unknown, path: (string | number)[] = [], seen = new Set<object>()) {
  const issues: { path: (string | number)[]; code: string; message: string }[] = []
  const visit = (v: unknown, p: (string | number)[]): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ path: p, code: 'not_finite', message: 'number must be finite' })
      return
    }
    if (typeof v !== 'object') {
      issues.push({ path: p, code: 'not_json', message: `${typeof v} is not a JSON value` })
      return
    }
    if (seen.has(v)) {
      issues.push({ path: p, code: 'cycle', message: 'value refers to itself' })
      return
    }
    seen.add(v)
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) visit(item, [...p, i])
    } else if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)
      issues.push({ path: p, code: 'not_plain_object', message: 'only plain objects are JSON' })
    else for (const [k, item] of Object.entries(v)) visit(item, [...p, k])
    seen.delete(v)
  }
  visit(value, path)
  return issues
}

export function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && jsonIssues(value).length === 0
  )
}
