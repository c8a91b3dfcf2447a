import { z } from 'zod'
import { dateSchema, entityIdSchema, instantSchema, pseudonymSchema, sha256HexSchema } from './primitives.ts'

// The identity attestation (实名认证凭证): what an identity source the deployment trusts signs
// when it has checked a person, as the claims of a compact JWS (docs/identity-attestations.md).
// It names the person by the pseudonym of their card number, never the number; it carries no
// photo or template, only how the check was made, when, until when it may be used, a unique id
// that refuses a second use, and optional facts about the person's target group, each with the
// system it came from.

/**
 * How the person was checked. card_chip: the physical card read on a device; e_card: the
 * 电子社保卡 QR code scanned; face: a photo match against the public-security register or the
 * card photo; ssc_platform: a query to the 全国社会保障卡服务平台.
 */
export const identityMethods = ['card_chip', 'e_card', 'face', 'ssc_platform'] as const
export type IdentityMethod = (typeof identityMethods)[number]

/** The JWS `typ` header an attestation carries, so no other token of the same issuer passes for one. */
export const identityAttestationType = 'trec-identity+jwt'

/** Where a fact came from: the source system and that system's reference, so it can be looked up there. */
export const factSourceSchema = z.strictObject({
  system: entityIdSchema,
  ref: z.string().min(1).max(128),
})

/**
 * Facts about the person a source may attest, each with its source: target-group facts a rule
 * set may check (失业登记, 脱贫, 毕业年份), and facts that make a trainee ineligible or a phantom
 * (死亡, 全日制在校), which fraud rule R9 reads. The last two were added later and are optional, like
 * every fact: attestations without them read as before.
 */
export const attestedFactSchema = z.discriminatedUnion('fact', [
  z.strictObject({
    /** 失业登记: registered as unemployed, since the date when the source says. */
    fact: z.literal('unemployment_registered'),
    since: dateSchema.optional(),
    source: factSourceSchema,
  }),
  z.strictObject({
    /** 脱贫人口 (formerly 建档立卡贫困劳动力). */
    fact: z.literal('poverty_alleviated'),
    source: factSourceSchema,
  }),
  z.strictObject({
    /** 毕业年份: the year of graduation (for 高校毕业生 and 毕业年度 rules). */
    fact: z.literal('graduation_year'),
    year: z.int().min(1950).max(2100),
    source: factSourceSchema,
  }),
  z.strictObject({
    /** 死亡: the civil-registration or pension system records the person as deceased, on the date when known. */
    fact: z.literal('deceased'),
    on: dateSchema.optional(),
    source: factSourceSchema,
  }),
  z.strictObject({
    /** 全日制在校: enrolled in full-time study (a school or university register), until the date when known. */
    fact: z.literal('full_time_study'),
    until: dateSchema.optional(),
    source: factSourceSchema,
  }),
])
export type AttestedFact = z.output<typeof attestedFactSchema>

export const attestedFactsSchema = z
  .array(attestedFactSchema)
  .max(10)
  .refine((facts) => new Set(facts.map((f) => f.fact)).size === facts.length, {
    message: 'each fact at most once',
  })

/** The claims of an attestation's JWS payload. Times are NumericDate (seconds since the epoch). */
export const identityAttestationClaimsSchema = z
  .strictObject({
    /** The identity source, as the deployment's trusted-issuer list names it. */
    iss: entityIdSchema,
    /** The pseudonym of the person's card number under this deployment's pseudonym secret. */
    sub: pseudonymSchema,
    method: z.enum(identityMethods),
    /** When the check was made. */
    iat: z.int().positive(),
    /** Until when the attestation may be presented. */
    exp: z.int().positive(),
    /** The issuer's id for this check: used once, a second presentation is refused. */
    jti: z.string().min(8).max(128),
    facts: attestedFactsSchema.optional(),
  })
  .refine((c) => c.exp > c.iat, { message: 'exp must be after iat', path: ['exp'] })
export type IdentityAttestationClaims = z.output<typeof identityAttestationClaimsSchema>

/** What the record keeps of a verified attestation: never the JWS itself, never a photo. */
export const attestationRecordSchema = z.strictObject({
  issuer: entityIdSchema,
  /** The `kid` of the issuer key that verified it. */
  kid: z.string().min(1).max(128),
  issuedAt: instantSchema,
  expiresAt: instantSchema,
  /** SHA-256 of the compact JWS as presented (hex): a copy held elsewhere can be matched to this record. */
  sha256: sha256HexSchema,
  facts: attestedFactsSchema.optional(),
})
export type AttestationRecord = z.output<typeof attestationRecordSchema>
