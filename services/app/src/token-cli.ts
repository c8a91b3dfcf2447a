// Mints a development access token with the embedded default's key:
//   npm run token -- --role institution_staff --institution inst-130100-0001 [--sub staff-1] [--ttl 3600]
// It signs with the key the server made in its data directory (TREC_DATA_DIR, `.data` by default),
// so it must be given the same TREC_DATA_DIR as the server, and it never makes a key of its own:
// a token signed by a key the server does not hold would only be refused with 401.

// Without --sub each token gets a subject of its own (`<role>-<random>`): tokens that share a
// subject are one caller to the access log, and tokens of different people must not be.
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { roles } from '@trec/fastify-kit'
import { parseCli } from './cli-args.ts'
import { loadConfig } from './config.ts'
import { devIssuer } from './dev-secrets.ts'

const usage = `usage: npm run token -- --role <role> [--institution id] [--region code] [--class id] [--device id] [--sub id] [--ttl seconds]

Prints a development access token signed with the key in TREC_DATA_DIR (default .data, where
\`npm start\` keeps it). Start the server first; if it runs with another TREC_DATA_DIR, give the
same one here:  TREC_DATA_DIR=/path/to/data npm run token -- --role ...

  --role         one of: ${roles.filter((r) => r !== 'worker').join(', ')} (a worker signs in
                 with an attestation: POST /v1/worker-sessions)
  --institution  the institution a staff member acts for (institution_staff)
  --region       行政区划代码 prefix an officer acts in, e.g. 1301 (subsidy_officer, finance)
  --class        the class a face-check device serves (device)
  --device       the device's id (device)
  --sub          the subject (default <role>-<random>, a caller of its own)
  --ttl          seconds the token is valid (default 3600)`

const cli = parseCli(usage, {
  help: { type: 'boolean', short: 'h' },
  role: { type: 'string' },
  sub: { type: 'string' },
  institution: { type: 'string' },
  region: { type: 'string' },
  class: { type: 'string' },
  device: { type: 'string' },
  ttl: { type: 'string', default: '3600' },
})
const { values } = cli
const fail: (message: string) => never = cli.fail
if (!values.role) fail('--role is required')
if (!(roles as readonly string[]).includes(values.role)) fail(`--role ${values.role} is not a role`)
// A worker's token is issued only for a signed real-name attestation, by the server itself.
if (values.role === 'worker')
  fail(
    'a worker token is issued only for a signed real-name attestation: npm run -s attest -- --method e_card --card <number>, then POST it as {"attestation": …} to /v1/worker-sessions',
  )
const ttl = Number(values.ttl)
if (!Number.isInteger(ttl) || ttl < 1) fail(`--ttl must be a whole number of seconds, not ${values.ttl}`)

const config = loadConfig()
if (config.TREC_JWKS_URL || config.TREC_JWKS_FILE) {
  fail('this process verifies tokens from an external issuer (TREC_JWKS_URL/FILE): get tokens from it')
}
const dataDir = resolve(config.TREC_DATA_DIR)
if (!existsSync(join(dataDir, 'dev-secrets.json'))) {
  fail(
    `no development key in ${dataDir}: start the server first (npm start), or give this command the TREC_DATA_DIR the server runs with`,
  )
}
const issuer = await devIssuer(dataDir, config.TREC_JWT_ISSUER, config.TREC_JWT_AUDIENCE)
const token = await issuer.mint(
  {
    sub: values.sub ?? `${values.role}-${randomUUID().slice(0, 8)}`,
    role: values.role as (typeof roles)[number],
    ...(values.institution ? { institution: values.institution } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.class ? { class: values.class } : {}),
    ...(values.device ? { device: values.device } : {}),
  },
  ttl,
)
console.log(token)
