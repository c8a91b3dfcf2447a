import { entityIdSchema, identityMethods } from '@trec/contracts'
import { z } from 'zod'

// The identity sources this deployment trusts (docs/identity-attestations.md): each by the id it
// signs as (`iss`), the methods it may vouch for, and its pinned public keys (a JWKS; a key is
// chosen by the `kid` of an attestation's header, so a rotation adds a key, and a retired key is
// removed from the list). Keys are given, never fetched from a URL an attestation could name.

const publicJwkSchema = z
  .looseObject({
    kty: z.enum(['OKP', 'EC']),
    kid: z.string().min(1).max(128),
    crv: z.enum(['Ed25519', 'P-256']),
    x: z.string().min(1),
    y: z.string().min(1).optional(),
    alg: z.enum(['EdDSA', 'ES256']).optional(),
  })
  .refine((k) => !('d' in k), { message: 'a pinned key is public: it must not carry "d"' })
  .refine((k) => (k.crv === 'P-256') === (k.kty === 'EC'), { message: 'P-256 keys are EC, Ed25519 keys OKP' })

export const trustedIssuerSchema = z.strictObject({
  issuer: entityIdSchema,
  /** What this source may attest: a card platform the card methods, a face service `face`, … */
  methods: z.array(z.enum(identityMethods)).min(1),
  jwks: z.strictObject({
    keys: z
      .array(publicJwkSchema)
      .min(1)
      .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, {
        message: 'each kid once',
      }),
  }),
})

export const trustedIssuersSchema = z
  .array(trustedIssuerSchema)
  .refine((list) => new Set(list.map((i) => i.issuer)).size === list.length, {
    message: 'each issuer once',
  })

export type TrustedIssuer = z.output<typeof trustedIssuerSchema>
