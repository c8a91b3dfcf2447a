// What the issue asks of generated clients: no class or method named after a path or a status
// code (`V1ArchiveLookupPost200Response`, `v1ArchiveLookupPost`). openapi-generator makes such a
// name for an operation that has no operationId or an inline body, from the path and method; an
// operation still on openapi-unfinished.txt may yet have them, no other may.

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

/**
 * The generated names that carry a path (start with an operation's path name) or a status code
 * (three digits) and belong to no unfinished operation (start with neither its path name nor its
 * operationId): none, when the contract holds.
 */
export function namesWithPathOrStatus(doc: Json, unfinished: Set<string>, names: string[]): string[] {
  const paths: string[] = []
  const allowed: string[] = []
  for (const [path, operations] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(operations as Json) as [string, Json][]) {
      const name = pathName(method, path).toLowerCase()
      paths.push(name)
      if (unfinished.has(`${method.toUpperCase()} ${path}`)) {
        allowed.push(name)
        if (op.operationId) allowed.push(String(op.operationId).toLowerCase())
      }
    }
  const startsWithOneOf = (name: string, prefixes: string[]) =>
    prefixes.some((prefix) => name.toLowerCase().startsWith(prefix))
  return names.filter(
    (name) => (/\d{3}/.test(name) || startsWithOneOf(name, paths)) && !startsWithOneOf(name, allowed),
  )
}

/** The generated Java API class and method of an operation: `ArchiveApi#lookUpArchive`. */
export function javaOperation(doc: Json, method: string, path: string): string {
  const op = doc.paths[path][method.toLowerCase()]
  const name = op.operationId ?? pathName(method, path).replace(/^./, (c) => c.toLowerCase())
  return `${pascal(String(op.tags?.[0] ?? 'default'))}Api#${name}`
}

/** The operations that left the unfinished list: `METHOD /path`, its operationId and tag. */
export function finishedOperations(
  doc: Json,
  unfinished: Set<string>,
): { operation: string; operationId: string; tag: string }[] {
  const finished = []
  for (const [path, operations] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(operations as Json) as [string, Json][]) {
      const operation = `${method.toUpperCase()} ${path}`
      if (!unfinished.has(operation))
        finished.push({
          operation,
          operationId: String(op.operationId),
          tag: String(op.tags?.[0] ?? 'default'),
        })
    }
  return finished
}
