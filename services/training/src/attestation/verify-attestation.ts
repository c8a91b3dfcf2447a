import { createHash } from 'node:crypto'
import type { RuleViolation } from '@trec/command'
import {
  type AttestationRecord,
  type IdentityAttestationClaims,
  identityAttestationClaimsSchema,
  identityAttestationType,
} from '@trec/contracts'
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, errors as joseErrors } from 'jose'
import { violation } from '../domain/rules.ts'
import type { TrustedIssuer } from './issuers.ts'

// Checking an attestation (docs/identity-attestations.md) before anything is decided: the issuer
// it names must be one the deployment trusts, the `kid` of its header one of that issuer's pinned
// keys, the algorithm the one that key is for (never taken from the attestation: RFC 8725 §3.1,
// so `none` or an HMAC over a public key cannot pass), the signature good, the claims those of
// the contract, and the attestation not expired by this server's clock. Whose it is and whether it
// was used before are the enrolment's rules (they need the worker's record).

export interface VerifiedAttestation {
  claims: IdentityAttestationClaims
  /** What the record keeps of it. */
  record: AttestationRecord
}

export type AttestationCheck =
  | { ok: true; attestation: VerifiedAttestation }
  | { ok: false; reasons: RuleViolation[] }

const algorithmOf = (key: TrustedIssuer['jwks']['keys'][number]) =>
  key.crv === 'Ed25519' ? 'EdDSA' : 'ES256'

const refused = (...reasons: RuleViolation[]): AttestationCheck => ({ ok: false, reasons })

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

/** The hash the record keeps: SHA-256 of the compact JWS exactly as presented, in hex. */
export const attestationDigest = (jws: string): string =>
  createHash('sha256').update(jws, 'utf8').digest('hex')

export async function verifyAttestation(
  jws: string,
  options: { issuers: readonly TrustedIssuer[]; now: Date },
): Promise<AttestationCheck> {
  let header: ReturnType<typeof decodeProtectedHeader>
  let unverified: ReturnType<typeof decodeJwt>
  try {
    header = decodeProtectedHeader(jws)
    unverified = decodeJwt(jws)
  } catch {
    return refused(
      violation('attestation-signature', 'the attestation is not a signed JWS with a JSON payload'),
    )
  }
  if (header.typ !== identityAttestationType)
    return refused(
      violation('attestation-signature', `the attestation's header must say typ ${identityAttestationType}`, {
        typ: header.typ ?? null,
      }),
    )
  const issuer = options.issuers.find((i) => i.issuer === unverified.iss)
  if (!issuer)
    return refused(
      violation(
        'attestation-issuer',
        `issuer ${String(unverified.iss)} is not an identity source this deployment trusts`,
        {
          issuer: typeof unverified.iss === 'string' ? unverified.iss : null,
        },
      ),
    )
  const key = issuer.jwks.keys.find((k) => k.kid === header.kid)
  if (!key)
    return refused(
      violation('attestation-signature', `issuer ${issuer.issuer} has no pinned key ${String(header.kid)}`, {
        issuer: issuer.issuer,
        kid: header.kid ?? null,
      }),
    )
  const alg = algorithmOf(key)
  let payload: Uint8Array
  try {
    ;({ payload } = await compactVerify(jws, await importJWK(key, alg), { algorithms: [alg] }))
  } catch (error) {
    const why =
      error instanceof joseErrors.JOSEAlgNotAllowed
        ? `it is not signed with ${alg}, the algorithm of issuer ${issuer.issuer}'s key ${key.kid}`
        : `the signature does not verify under issuer ${issuer.issuer}'s key ${key.kid}`
    return refused(violation('attestation-signature', why, { issuer: issuer.issuer, kid: key.kid }))
  }
  const parsed = identityAttestationClaimsSchema.safeParse(JSON.parse(new TextDecoder().decode(payload)))
  if (!parsed.success)
    return refused(
      violation('attestation-claims', 'the attestation’s claims are not those of the contract', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      }),
    )
  const claims = parsed.data
  const reasons: RuleViolation[] = []
  if (claims.exp * 1000 <= options.now.getTime())
    reasons.push(
      violation('attestation-expired', `the attestation expired at ${iso(claims.exp)}`, {
        expiresAt: iso(claims.exp),
      }),
    )
  if (!issuer.methods.includes(claims.method))
    reasons.push(
      violation(
        'attestation-method',
        `issuer ${issuer.issuer} is not trusted for the method ${claims.method}`,
        {
          issuer: issuer.issuer,
          methods: issuer.methods,
        },
      ),
    )
  if (reasons.length > 0) return refused(...reasons)
  return {
    ok: true,
    attestation: {
      claims,
      record: {
        issuer: issuer.issuer,
        kid: key.kid,
        issuedAt: iso(claims.iat),
        expiresAt: iso(claims.exp),
        sha256: attestationDigest(jws),
        ...(claims.facts ? { facts: claims.facts } : {}),
      },
    },
  }
}
