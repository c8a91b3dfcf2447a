import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from 'jose'
import type { Claims } from './principal.ts'

export interface TokenIssuer {
  issuer: string
  audience: string
  jwks: JSONWebKeySet
  /** Signs an access token (RFC 9068 `at+jwt`, EdDSA) for these claims. */
  mint(
    claims: Omit<Claims, 'jti' | 'client_id'> & Partial<Pick<Claims, 'jti' | 'client_id'>>,
    ttlSeconds?: number,
  ): Promise<string>
  /** The private key, so a development issuer can be saved and reloaded. */
  privateJwk: JWK
}

/** An Ed25519 token issuer: development tokens (`npm run token`) and tests. */
export async function createTokenIssuer(
  issuer: string,
  audience: string,
  privateJwk?: JWK,
): Promise<TokenIssuer> {
  let jwk = privateJwk
  if (!jwk) {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    jwk = await exportJWK(privateKey)
    jwk.kid = randomUUID()
  }
  const { d: _secret, ...publicJwk } = jwk
  const { importJWK } = await import('jose')
  const key = await importJWK(jwk, 'EdDSA')
  return {
    issuer,
    audience,
    privateJwk: jwk,
    jwks: { keys: [{ ...publicJwk, alg: 'EdDSA', use: 'sig' }] },
    mint: (claims, ttlSeconds = 900) =>
      new SignJWT({ client_id: claims.sub, jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: jwk.kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
  }
}
