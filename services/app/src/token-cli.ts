// Mints a development access token with the embedded default's key:
//   npm run token -- --role institution_staff --institution inst-130100-0001 [--sub staff-1] [--ttl 3600]
// Without --sub each token gets a subject of its own (`<role>-<random>`): tokens that share a
// subject are one caller to the access log, and tokens of different people must not be.
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { roles } from '@trec/fastify-kit'
import { loadConfig } from './config.ts'
import { devIssuer } from './dev-secrets.ts'

const { values } = parseArgs({
  // pnpm passes a literal `--` through; npm strips it.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    role: { type: 'string' },
    sub: { type: 'string' },
    institution: { type: 'string' },
    region: { type: 'string' },
    class: { type: 'string' },
    device: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  },
})
if (!values.role || !(roles as readonly string[]).includes(values.role)) {
  console.error(
    `usage: npm run token -- --role <${roles.join('|')}> [--institution id] [--region code] [--class id] [--device id] [--sub id] [--ttl seconds]`,
  )
  process.exit(2)
}
const config = loadConfig()
if (config.TREC_JWKS_URL || config.TREC_JWKS_FILE) {
  console.error(
    'this process verifies tokens from an external issuer (TREC_JWKS_URL/FILE): get tokens from it',
  )
  process.exit(2)
}
const issuer = await devIssuer(config.TREC_DATA_DIR, config.TREC_JWT_ISSUER, config.TREC_JWT_AUDIENCE)
const token = await issuer.mint(
  {
    sub: values.sub ?? `${values.role}-${randomUUID().slice(0, 8)}`,
    role: values.role as (typeof roles)[number],
    ...(values.institution ? { institution: values.institution } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.class ? { class: values.class } : {}),
    ...(values.device ? { device: values.device } : {}),
  },
  Number(values.ttl),
)
console.log(token)
