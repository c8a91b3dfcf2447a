// What the issue asks of generated clients: no class or method named after a path or a status
// code (`V1ArchiveLookupPost200Response`, `v1ArchiveLookupPost`), and each operation's method
// named by its operationId. openapi-generator makes such a name for an operation that has no
// operationId or an inline body, from the path and method; the contract allows neither.

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, walked by key
type Json = Record<string, any>

const pascal = (word: string) => (word[0] ?? '').toUpperCase() + word.slice(1)

/** The name openapi-generator gives an operation without an operationId: `V1ArchiveLookupPost`. */
export function pathName(method: string, path: string): string {
  return [...path.replace(/[{}]/g, '').split(/[^A-Za-z0-9]+/), method.toLowerCase()]
    .filter(Boolean)
    .map(pascal)
    .join('')
}

/** Each operation of the document: `METHOD /path`, its method, path and definition. */
function operationsOf(doc: Json): { operation: string; method: string; path: string; op: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, operations]) =>
    (Object.entries(operations as Json) as [string, Json][]).map(([method, op]) => ({
      operation: `${method.toUpperCase()} ${path}`,
      method,
      path,
      op,
    })),
  )
}

/**
 * The generated names that carry a path (start with an operation's path name) or a status code
 * (three digits): none, when the contract holds.
 */
export function namesWithPathOrStatus(doc: Json, names: string[]): string[] {
  const paths = operationsOf(doc).map(({ method, path }) => pathName(method, path).toLowerCase())
  return names.filter(
    (name) => /\d{3}/.test(name) || paths.some((prefix) => name.toLowerCase().startsWith(prefix)),
  )
}

/**
 * The generated Java API class and method each operation must have: the class of its first tag
 * (`ArchiveApi`), the method its operationId (`lookUpArchive`).
 */
export function javaOperations(doc: Json): { operation: string; api: string; method: string }[] {
  return operationsOf(doc).map(({ operation, op }) => ({
    operation,
    api: `${pascal(String(op.tags?.[0] ?? 'default'))}Api`,
    method: String(op.operationId ?? '(no operationId)'),
  }))
}
