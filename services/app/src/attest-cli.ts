// The local stand-in identity source: signs an identity attestation (实名认证) that the server on
// this machine trusts, so enrolment with a signed check runs with nothing else installed.
//   npm run -s attest -- --method face --card 11010519491231002X
// It signs with the key the server made in its data directory (TREC_DATA_DIR, `.data` by
// default) and names the person by the pseudonym of the card number under the same secret the
// server uses; it never makes a key of its own. docs/identity-attestations.md has the format.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createPseudonymizer } from '@trec/privacy'
import { attestedFactsSchema, identityMethods } from '@trec/training'
import { parseCli } from './cli-args.ts'
import { loadConfig } from './config.ts'
import { devAttestationIssuer, loadDevSecrets, localIdentityIssuer } from './dev-secrets.ts'

const usage = `usage: npm run -s attest -- --method <method> [--card number] [--ttl seconds] [--at instant] [--jti id] [--facts json]
       npm run -s attest -- --jwks

Prints an identity attestation (a compact JWS) signed by the local stand-in issuer
${localIdentityIssuer}, whose key is in TREC_DATA_DIR (default .data, where \`npm start\` keeps it).
Send it as \`attestation\` in the body of POST /v1/classes/{class}/enrolments.

  --method  how the person was checked: ${identityMethods.join(', ')}
  --card    the social-security card number; read from standard input when absent
            (only its pseudonym goes into the attestation)
  --ttl     seconds the attestation may be presented (default 600)
  --at      when the check was made (ISO 8601, default now)
  --jti     the issuer's id for the check (default a fresh one)
  --facts   target-group facts as JSON, e.g.
            '[{"fact":"unemployment_registered","source":{"system":"jy-hebei","ref":"SY2024-001"}}]'
  --jwks    print the issuer's public keys (to pin it in another deployment's issuers file)`

const cli = parseCli(usage, {
  help: { type: 'boolean', short: 'h' },
  method: { type: 'string' },
  card: { type: 'string' },
  ttl: { type: 'string', default: '600' },
  at: { type: 'string' },
  jti: { type: 'string' },
  facts: { type: 'string' },
  jwks: { type: 'boolean' },
})
const { values } = cli
const fail: (message: string) => never = cli.fail
const config = loadConfig()
const dataDir = resolve(config.TREC_DATA_DIR)
if (!existsSync(join(dataDir, 'dev-secrets.json')))
  fail(
    `no stand-in issuer key in ${dataDir}: start the server first (npm start), or give this command the TREC_DATA_DIR the server runs with`,
  )
const issuer = await devAttestationIssuer(dataDir)
if (values.jwks) {
  console.log(JSON.stringify({ issuers: [issuer.trusted()] }, null, 2))
  process.exit(0)
}
const method = values.method
if (!method) fail('--method is required')
if (!(identityMethods as readonly string[]).includes(method)) fail(`--method ${method} is not a method`)
const ttl = Number(values.ttl)
if (!Number.isInteger(ttl) || ttl < 1) fail(`--ttl must be a whole number of seconds, not ${values.ttl}`)
const at = values.at === undefined ? new Date() : new Date(values.at)
if (Number.isNaN(at.getTime())) fail(`--at ${values.at} is not an instant`)
let facts: ReturnType<typeof attestedFactsSchema.parse> | undefined
if (values.facts !== undefined) {
  let json: unknown
  try {
    json = JSON.parse(values.facts)
  } catch {
    fail('--facts is not JSON')
  }
  const parsed = attestedFactsSchema.safeParse(json)
  if (!parsed.success)
    fail(`--facts: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  facts = parsed.data
}
const card = (values.card ?? readFileSync(0, 'utf8')).trim()
const secret = config.TREC_PSEUDONYM_SECRET ?? (await loadDevSecrets(dataDir)).pseudonymSecret
let subject: string
try {
  subject = createPseudonymizer(secret).pseudonym(card)
} catch (error) {
  fail(`--card: ${(error as Error).message}`)
}
console.log(
  await issuer.attest({
    subject,
    method: method as (typeof identityMethods)[number],
    checkedAt: at,
    ttlSeconds: ttl,
    ...(values.jti ? { jti: values.jti } : {}),
    ...(facts ? { facts } : {}),
  }),
)
