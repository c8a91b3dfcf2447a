import type { AuthOptions } from '@trec/fastify-kit'
import type { Config } from './config.ts'
import { loadDevSecrets } from './dev-secrets.ts'

export interface Settings {
  auth: AuthOptions
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  /** True when any secret came from the development file rather than the environment. */
  development: boolean
}

/** Resolves keys and secrets: the environment when given, the development file otherwise. */
export async function resolveSettings(config: Config): Promise<Settings> {
  const external = config.TREC_JWKS_URL ?? config.TREC_JWKS_FILE
  const needDev = !external || !config.TREC_PSEUDONYM_SECRET || !config.TREC_MASTER_KEY
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
    development: needDev,
  }
}

function publicOf(jwk: Record<string, unknown>) {
  const { d: _private, ...rest } = jwk
  return { ...rest, alg: 'EdDSA', use: 'sig' }
}
