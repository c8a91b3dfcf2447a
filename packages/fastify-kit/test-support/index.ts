import { randomUUID } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import type { Claims } from '../src/principal.ts'
import { createTokenIssuer, type TokenIssuer } from '../src/tokens.ts'

export interface TestTokens extends TokenIssuer {
  /** Tokens that must all be refused with 401, each named for what is wrong with it. */
  bad(claims: Omit<Claims, 'jti' | 'client_id'>): Promise<Record<string, string>>
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

export async function testTokens(
  issuer = 'https://idp.trec.test',
  audience = 'trec-api',
): Promise<TestTokens> {
  const base = await createTokenIssuer(issuer, audience)
  const foreign = await createTokenIssuer(issuer, audience)
  return {
    ...base,
    async bad(claims) {
      const now = Math.floor(Date.now() / 1000)
      const full = { client_id: claims.sub, jti: randomUUID(), ...claims }
      const { privateKey: hsKey } = await generateKeyPair('ES256')
      return {
        missing: '',
        malformed: 'Bearer not-a-token',
        expired: await base.mint(claims, -120),
        'wrong audience': await (await createTokenIssuer(issuer, 'another-api', base.privateJwk)).mint(
          claims,
        ),
        'wrong issuer': await (
          await createTokenIssuer('https://elsewhere.test', audience, base.privateJwk)
        ).mint(claims),
        'wrong key': await foreign.mint(claims),
        'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...full, iss: issuer, aud: audience, iat: now, exp: now + 600 })}.`,
        'not an access token': await new SignJWT(full)
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: base.privateJwk.kid })
          .setIssuer(issuer)
          .setAudience(audience)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(await (await import('jose')).importJWK(base.privateJwk, 'EdDSA')),
        'algorithm not pinned': await new SignJWT(full)
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'es' })
          .setIssuer(issuer)
          .setAudience(audience)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(hsKey),
      }
    },
  }
}

export interface TestPlatform {
  app: import('../src/platform.ts').Platform
  tokens: TestTokens
}

/** A platform with a fresh token issuer, for a service's route tests (`app.inject`). */
export async function testPlatform(db: import('@trec/eventstore').SqlExecutor): Promise<TestPlatform> {
  const { buildPlatform } = await import('../src/platform.ts')
  const tokens = await testTokens()
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db,
    logLevel: 'silent',
  })
  return { app, tokens }
}
