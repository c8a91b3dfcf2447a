// What the OpenAPI document must hold for integrators who generate clients from it (checked by
// services/app/test/openapi-contract.test.ts on the document the app serves). Each finding says
// which operation or schema falls short and what to add.

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, walked by key
type Json = Record<string, any>

/** `verbNoun`: a lower-case verb, then words in camelCase; no path, no status code. */
const operationIdPattern = /^[a-z]+[A-Z][A-Za-z]*$/
/** A component name: PascalCase words, no digits (so no status code), no `Input` suffix. */
const schemaNamePattern = /^[A-Z][A-Za-z]*$/

function resolve(doc: Json, node: Json | undefined): Json | undefined {
  let n = node
  for (let i = 0; n?.$ref && i < 20; i++)
    n = (n.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce((at: Json | undefined, key) => at?.[key], doc)
  return n
}

const isJson = (mediaType: string) => /json/.test(mediaType)

export function contractFindings(doc: Json): string[] {
  const findings: string[] = []
  const ids = new Map<string, string>()
  for (const [path, operations] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(operations as Json) as [string, Json][]) {
      const name = `${method.toUpperCase()} ${path}`
      const add = (what: string) => findings.push(`${name}: ${what}`)
      if (!op.operationId)
        add("no operationId: add `operationId: 'verbNoun'` (e.g. 'lookUpArchive') to the route's schema")
      else if (!operationIdPattern.test(op.operationId))
        add(`operationId ${op.operationId} is not verbNoun (a lower-case verb, then camelCase words)`)
      else if (ids.has(op.operationId))
        add(`operationId ${op.operationId} is also that of ${ids.get(op.operationId)}: make it unique`)
      else ids.set(op.operationId, name)
      if (!op.tags?.length) add("no tag: add `tags: ['<service>']` to the route's schema")
      if (!op.summary) add("no summary: add `summary: '…'` to the route's schema")
      if (!op.description)
        add("no description: add `description: '…'` (who may call it, what it does, what it answers)")
      if (!op['x-roles'] && !(Array.isArray(op.security) && op.security.length === 0))
        add('neither x-roles nor public: declare `config.auth`')
      for (const [mediaType, media] of Object.entries((op.requestBody?.content ?? {}) as Json))
        if (isJson(mediaType) && !media.schema?.$ref)
          add(
            `the request body (${mediaType}) is an inline schema: name it with \`.meta({ id: 'SomethingRequest' })\` on a module-level zod schema`,
          )
      const answers = Object.entries(op.responses as Json).filter(([status]) => /^2/.test(status))
      if (answers.length === 0) add('no 2xx answer: add `response: { 200: schema }` to the route')
      for (const [status, answer] of answers as [string, Json][]) {
        const content = Object.entries((answer.content ?? {}) as Json) as [string, Json][]
        if (content.length === 0)
          add(`the ${status} answer has no body schema: add \`response: { ${status}: schema }\` to the route`)
        for (const [mediaType, media] of content) {
          if (isJson(mediaType) && !media.schema?.$ref)
            add(
              `the ${status} answer (${mediaType}) is an inline schema: name it with \`.meta({ id: 'Something' })\` on a module-level zod schema`,
            )
          const example = media.example ?? media.examples ?? resolve(doc, media.schema)?.example
          if (example === undefined)
            add(
              `the ${status} answer (${mediaType}) has no example: add \`example\` to its schema's \`.meta({ … })\``,
            )
        }
      }
    }
  for (const name of Object.keys((doc.components?.schemas ?? {}) as Json))
    if (!schemaNamePattern.test(name) || name.endsWith('Input'))
      findings.push(`components.schemas.${name}: not a PascalCase name without digits or an Input suffix`)
  return findings
}
