import { randomUUID } from 'node:crypto'
import {
  type AttestedFact,
  type IdentityMethod,
  identityAttestationClaimsSchema,
  identityAttestationType,
} from '@trec/contracts'
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import type { TrustedIssuer } from './issuers.ts'

// An identity source that signs attestations: the local stand-in issuer (`npm run attest`, its
// key in the data directory), tests and the generator. A real source signs the same claims with
// its own key; the deployment pins that source's public keys.

export interface AttestationRequest {
  /** The pseudonym of the person's card number (never the number). */
  subject: string
  method: IdentityMethod
  /** When the check was made (default now). */
  checkedAt?: Date
  /** How long the attestation may be presented, in seconds (default 600). */
  ttlSeconds?: number
  /** The issuer's id for the check (default a fresh one). */
  jti?: string
  facts?: AttestedFact[]
}

export interface AttestationIssuer {
  issuer: string
  /** The private key (Ed25519 JWK with its kid), so a stand-in issuer can be saved and reloaded. */
  privateJwk: JWK
  /** What a deployment pins to trust this source. */
  trusted(methods?: readonly IdentityMethod[]): TrustedIssuer
  /** A compact JWS over the attestation's claims, checked against the contract before signing. */
  attest(request: AttestationRequest): Promise<string>
}

export const allMethods: readonly IdentityMethod[] = ['card_chip', 'e_card', 'face', 'ssc_platform']

export async function newAttestationKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: `idp-${randomUUID().slice(0, 8)}`, alg: 'EdDSA' }
}

export async function createAttestationIssuer(issuer: string, privateJwk?: JWK): Promise<AttestationIssuer> {
  const jwk = privateJwk ?? (await newAttestationKey())
  const key = await importJWK(jwk, 'EdDSA')
  const { d: _secret, ...publicJwk } = jwk
  return {
    issuer,
    privateJwk: jwk,
    trusted: (methods = allMethods) => ({
      issuer,
      methods: [...methods],
      jwks: {
        keys: [{ ...publicJwk, alg: 'EdDSA' } as TrustedIssuer['jwks']['keys'][number]],
      },
    }),
    async attest(request) {
      const iat = Math.floor((request.checkedAt ?? new Date()).getTime() / 1000)
      const claims = identityAttestationClaimsSchema.parse({
        iss: issuer,
        sub: request.subject,
        method: request.method,
        iat,
        exp: iat + (request.ttlSeconds ?? 600),
        jti: request.jti ?? randomUUID(),
        ...(request.facts ? { facts: request.facts } : {}),
      })
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: identityAttestationType, kid: String(jwk.kid) })
        .sign(key)
    },
  }
}
