import { clockOption, objectWith, parseServiceOptions } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { cursorKeyOf } from '@trec/fastify-kit'
import { createPseudonymizer, KeyRing, minimumSecretBytes, type Pseudonymizer } from '@trec/privacy'
import { z } from 'zod'
import { type TrustedIssuer, trustedIssuersSchema } from './attestation/issuers.ts'

// What the service is given when it is registered. Rules that are national practice and not in
// the seeds (voucher validity, how recent a real-name check must be) are options, never constants.

const optionsSchema = z.strictObject({
  store: objectWith<EventStore>('an EventStore', 'appendMany'),
  keyRing: z.instanceof(KeyRing, { message: 'must be a KeyRing' }),
  /** The HMAC secret of worker pseudonyms (at least 32 bytes; @trec/privacy). */
  pseudonymSecret: z
    .string()
    .refine(
      (s) => Buffer.byteLength(s, 'utf8') >= minimumSecretBytes,
      `must be at least ${minimumSecretBytes} bytes`,
    ),
  clock: clockOption(),
  /** How long a voucher stays valid when the issuer does not say (not in the seeds, brief appendix A). */
  voucherValidityDays: z.int().min(1).max(3660).default(180),
  /** How old a real-name check may be when the enrolment it vouches for is made. */
  identityCheckMaxAgeHours: z
    .number()
    .positive()
    .max(24 * 366)
    .default(24),
  /** How far ahead of this server's clock a device's or platform's timestamp may run. */
  clockSkewSeconds: z.int().min(0).max(3600).default(120),
  /**
   * The identity sources whose signed attestations (实名认证) are accepted, each with its pinned
   * keys (docs/identity-attestations.md). None by default: every attestation is then refused.
   */
  identityIssuers: trustedIssuersSchema.default([]),
  /** The key list cursors are tagged with (`cursorKeyOf` in @trec/fastify-kit); random when absent. */
  cursorKey: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes').optional(),
})

export type TrainingOptions = z.input<typeof optionsSchema>

export interface TrainingContext {
  store: EventStore
  keyRing: KeyRing
  pseudonyms: Pseudonymizer
  now: () => Date
  voucherValidityMs: number
  identityMaxAgeMs: number
  clockSkewMs: number
  identityIssuers: readonly TrustedIssuer[]
  cursorKey: Uint8Array
}

/** Checks the options (every problem at once) and derives what the routes use. */
export function trainingContext(options: TrainingOptions): TrainingContext {
  const o = parseServiceOptions(optionsSchema, options, 'training service')
  return {
    store: o.store,
    keyRing: o.keyRing,
    pseudonyms: createPseudonymizer(o.pseudonymSecret),
    now: o.clock ?? (() => new Date()),
    voucherValidityMs: o.voucherValidityDays * 86_400_000,
    identityMaxAgeMs: o.identityCheckMaxAgeHours * 3_600_000,
    clockSkewMs: o.clockSkewSeconds * 1000,
    identityIssuers: o.identityIssuers,
    cursorKey: o.cursorKey ?? cursorKeyOf(),
  }
}
