import { createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { SigningOptions } from '@trec/audit'
import { type AuthOptions, createTokenIssuer, type TokenIssuer } from '@trec/fastify-kit'
import { createAttestationIssuer, type TrustedIssuer, trustedIssuersSchema } from '@trec/training'
import type { JWK } from 'jose'
import { z } from 'zod'
import type { Config } from './config.ts'
import { type DevSecrets, loadDevSecrets, localIdentityIssuer } from './dev-secrets.ts'

export interface Settings {
  auth: AuthOptions
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  /** Who signs the audit log's checkpoints and the keys published to auditors (when it runs here). */
  auditSigning?: SigningOptions
  /** The identity sources enrolment trusts, with their pinned keys. */
  identityIssuers: TrustedIssuer[]
  /** Signs worker tokens for signed real-name attestations (POST /v1/worker-sessions). */
  workerSessions: TokenIssuer
  /** True when any secret came from the development file rather than the environment. */
  development: boolean
}

/** Resolves keys and secrets: the environment when given, the development file otherwise. */
export async function resolveSettings(config: Config): Promise<Settings> {
  const external = config.TREC_JWKS_URL ?? config.TREC_JWKS_FILE
  const needDev =
    !external ||
    !config.TREC_PSEUDONYM_SECRET ||
    !config.TREC_MASTER_KEY ||
    (config.TREC_SERVICES.includes('audit') && !config.TREC_AUDIT_SIGNING_KEY_FILE) ||
    (config.TREC_SERVICES.includes('training') && !config.TREC_IDENTITY_ISSUERS_FILE) ||
    !config.TREC_WORKER_SESSION_KEY_FILE
  const dev = needDev ? await loadDevSecrets(config.TREC_DATA_DIR) : undefined
  const keys: AuthOptions['keys'] = config.TREC_JWKS_URL
    ? { jwksUrl: config.TREC_JWKS_URL }
    : config.TREC_JWKS_FILE
      ? { jwksFile: config.TREC_JWKS_FILE }
      : { jwks: { keys: [publicOf(dev!.issuerJwk)] } }
  return {
    auth: { issuer: config.TREC_JWT_ISSUER, audience: config.TREC_JWT_AUDIENCE, keys },
    pseudonymSecret: config.TREC_PSEUDONYM_SECRET ?? dev!.pseudonymSecret,
    masterKey: {
      kid: config.TREC_MASTER_KEY ? config.TREC_MASTER_KEY_ID : 'dev-master',
      key: Buffer.from(config.TREC_MASTER_KEY ?? dev!.masterKey, 'base64'),
    },
    ...(config.TREC_SERVICES.includes('audit')
      ? { auditSigning: await auditSigning(config, dev?.auditSigningKey) }
      : {}),
    identityIssuers: await identityIssuers(config, dev),
    workerSessions: await createTokenIssuer(
      config.TREC_WORKER_SESSION_ISSUER,
      config.TREC_JWT_AUDIENCE,
      config.TREC_WORKER_SESSION_KEY_FILE
        ? (JSON.parse(await readFile(config.TREC_WORKER_SESSION_KEY_FILE, 'utf8')) as JWK)
        : dev!.workerSessionJwk,
    ),
    development: needDev,
  }
}

/** The issuers file when given; otherwise the local stand-in issuer of the data directory. */
async function identityIssuers(config: Config, dev: DevSecrets | undefined): Promise<TrustedIssuer[]> {
  const file = config.TREC_IDENTITY_ISSUERS_FILE
  if (!file) {
    if (!dev) return []
    return [(await createAttestationIssuer(localIdentityIssuer, dev.identityIssuerJwk)).trusted()]
  }
  const parsed = z
    .strictObject({ issuers: trustedIssuersSchema })
    .safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(
      `TREC_IDENTITY_ISSUERS_FILE ${file} is not a list of trusted issuers:\n${lines.join('\n')}`,
    )
  }
  return parsed.data.issuers
}

function publicOf(jwk: Record<string, unknown>) {
  const { d: _private, ...rest } = jwk
  return { ...rest, alg: 'EdDSA', use: 'sig' }
}

async function auditSigning(config: Config, devKey: string | undefined): Promise<SigningOptions> {
  const file = config.TREC_AUDIT_SIGNING_KEY_FILE
  const pem = file ? await readFile(file, 'utf8') : devKey!
  const published = config.TREC_AUDIT_PUBLISHED_KEYS_FILE
  return {
    origin: config.TREC_AUDIT_ORIGIN,
    keys: [{ privateKey: createPrivateKey(pem), notBefore: new Date(config.TREC_AUDIT_KEY_NOT_BEFORE) }],
    ...(published ? { published: JSON.parse(await readFile(published, 'utf8')) } : {}),
  }
}
