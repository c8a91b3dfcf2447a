import { createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { SigningOptions } from '@trec/audit'
import type { AuthOptions } from '@trec/fastify-kit'
import type { Config } from './config.ts'
import { loadDevSecrets } from './dev-secrets.ts'

export interface Settings {
  auth: AuthOptions
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  /** Who signs the audit log's checkpoints and the keys published to auditors (when it runs here). */
  auditSigning?: SigningOptions
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
    (config.TREC_SERVICES.includes('audit') && !config.TREC_AUDIT_SIGNING_KEY_FILE)
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
    development: needDev,
  }
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
