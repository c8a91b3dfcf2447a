import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cryptoProfile } from '@trec/core'
import { createTokenIssuer, type TokenIssuer } from '@trec/fastify-kit'
import { type AttestationIssuer, createAttestationIssuer, newAttestationKey } from '@trec/training'
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
  /** Private key (PKCS#8 PEM) signing the audit log's checkpoints: Ed25519, or SM2 under the gm profile. */
  auditSigningKey: string
  /** The local stand-in identity source's private key (`npm run attest`); the server trusts its public half. */
  identityIssuerJwk: JWK
  /** Signs worker tokens (POST /v1/worker-sessions) when no TREC_WORKER_SESSION_KEY_FILE is given. */
  workerSessionJwk: JWK
}

/** The id the local stand-in identity source signs attestations as. */
export const localIdentityIssuer = 'trec-local-idp'

/** A checkpoint signing key of the deployment's crypto profile (Ed25519, or SM2 under gm). */
const auditKey = () =>
  cryptoProfile().signature.generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = join(dataDir, 'dev-secrets.json')
  let existing: Partial<DevSecrets> | undefined
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Partial<DevSecrets>
  } catch {
    existing = undefined
  }
  if (existing?.issuerJwk && existing.pseudonymSecret && existing.masterKey) {
    if (existing.auditSigningKey && existing.identityIssuerJwk && existing.workerSessionJwk)
      return existing as DevSecrets
    // A data directory from before the audit log, the identity issuer or worker sessions: add the missing keys,
    // keep every other secret.
    const upgraded = {
      ...existing,
      auditSigningKey: existing.auditSigningKey ?? auditKey(),
      identityIssuerJwk: existing.identityIssuerJwk ?? (await newAttestationKey()),
      workerSessionJwk: existing.workerSessionJwk ?? (await newAttestationKey()),
    } as DevSecrets
    await writeFile(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 })
    return upgraded
  }
  await mkdir(dataDir, { recursive: true })
  const issuer = await createTokenIssuer('trec-dev', 'trec-api')
  const secrets: DevSecrets = {
    issuerJwk: issuer.privateJwk,
    pseudonymSecret: randomBytes(32).toString('base64url'),
    masterKey: randomBytes(32).toString('base64'),
    auditSigningKey: auditKey(),
    identityIssuerJwk: await newAttestationKey(),
    workerSessionJwk: await newAttestationKey(),
  }
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
  return secrets
}

export async function devIssuer(dataDir: string, issuer: string, audience: string): Promise<TokenIssuer> {
  return createTokenIssuer(issuer, audience, (await loadDevSecrets(dataDir)).issuerJwk)
}

/** The local stand-in identity source, with the key kept in the data directory. */
export async function devAttestationIssuer(dataDir: string): Promise<AttestationIssuer> {
  return createAttestationIssuer(localIdentityIssuer, (await loadDevSecrets(dataDir)).identityIssuerJwk)
}
