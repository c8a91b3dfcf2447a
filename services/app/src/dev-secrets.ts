import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTokenIssuer, type TokenIssuer } from '@trec/fastify-kit'
import type { JWK } from 'jose'

/**
 * Development secrets for the embedded default: a token issuer key, the pseudonym secret and
 * the master key, made once and kept in the data directory (mode 0600) so restarts keep
 * reading the same data. Production passes real ones through the environment instead.
 */
export interface DevSecrets {
  issuerJwk: JWK
  pseudonymSecret: string
  masterKey: string
}

export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = join(dataDir, 'dev-secrets.json')
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevSecrets
  } catch {
    await mkdir(dataDir, { recursive: true })
    const issuer = await createTokenIssuer('trec-dev', 'trec-api')
    const secrets: DevSecrets = {
      issuerJwk: issuer.privateJwk,
      pseudonymSecret: randomBytes(32).toString('base64url'),
      masterKey: randomBytes(32).toString('base64'),
    }
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
    return secrets
  }
}

export async function devIssuer(dataDir: string, issuer: string, audience: string): Promise<TokenIssuer> {
  return createTokenIssuer(issuer, audience, (await loadDevSecrets(dataDir)).issuerJwk)
}
