// Writes the OpenAPI document the composed app serves at /docs/json to the file named (default
// docs/openapi.json), formatted as it is committed. `pnpm openapi:write` updates the committed
// contract; `pnpm lint:api` writes the served one under .data/ and lints it with Redocly.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { formatOpenapi, openapiDocument } from './openapi-document.ts'

const root = join(import.meta.dirname, '../../..')
const out = join(root, process.argv[2] ?? 'docs/openapi.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, formatOpenapi(await openapiDocument()))
console.log(`wrote ${out}`)
