// fastify-type-provider-zod writes every schema registered with `.meta({ id })` twice into
// `components.schemas`: as read by a request (`{id}Input`) and as written by an answer (`{id}`),
// the two views differing where defaults or unknown keys do. The document keeps only the views
// that operations use, and names a schema used only by requests by its own id.

type Json = Record<string, unknown>

const prefix = '#/components/schemas/'

function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) refsIn(n, found)
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node))
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix))
        found.add(value.slice(prefix.length))
      else refsIn(value, found)
}

/** The schemas reachable from the operations and the named answers, through one another. */
function reachable(doc: Json): Set<string> {
  const schemas = ((doc.components as Json).schemas ?? {}) as Json
  const seen = new Set<string>()
  refsIn([doc.paths, (doc.components as Json).responses], seen)
  const queue = [...seen]
  while (queue.length > 0) {
    const more = new Set<string>()
    refsIn(schemas[queue.pop()!], more)
    for (const name of more)
      if (!seen.has(name)) {
        seen.add(name)
        queue.push(name)
      }
  }
  return seen
}

function renamed(node: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => renamed(n, names))
  if (!node || typeof node !== 'object') return node
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
        const name = value.slice(prefix.length)
        return [key, `${prefix}${names.get(name) ?? name}`]
      }
      return [key, renamed(value, names)]
    }),
  )
}

export function namedSchemasOnly(doc: Json): Json {
  const used = reachable(doc)
  const names = new Map<string, string>()
  for (const name of used)
    if (name.endsWith('Input') && !used.has(name.slice(0, -'Input'.length)))
      names.set(name, name.slice(0, -'Input'.length))
  const out = renamed(doc, names) as Json
  const components = out.components as Json
  const schemas = (components.schemas ?? {}) as Json
  components.schemas = Object.fromEntries(
    Object.keys(schemas)
      .filter((name) => used.has(name))
      .map((name) => [names.get(name) ?? name, schemas[name]])
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  )
  return out
}
