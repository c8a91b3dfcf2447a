import type { Platform } from '@trec/fastify-kit'
import { type TrainingOptions, trainingContext } from './options.ts'
import { catalogueRoutes } from './routes/catalogue.ts'
import { catalogueEntryRoutes } from './routes/catalogue-entries.ts'
import { classLifecycleRoutes } from './routes/class-lifecycle.ts'
import { classRoutes } from './routes/classes.ts'
import { enrolmentRoutes } from './routes/enrolments.ts'
import { institutionRoutes } from './routes/institutions.ts'
import { voucherRoutes } from './routes/vouchers.ts'

export { attestedFactsSchema, identityMethods } from '@trec/contracts'
export { type TrustedIssuer, trustedIssuerSchema, trustedIssuersSchema } from './attestation/issuers.ts'
export {
  type AttestationIssuer,
  type AttestationRequest,
  allMethods,
  createAttestationIssuer,
  newAttestationKey,
} from './attestation/sign-attestation.ts'
export { attestationDigest, verifyAttestation } from './attestation/verify-attestation.ts'
export type { TrainingOptions } from './options.ts'

/**
 * The training write side (docs/domain.md §2 steps 0–6): designated institutions, the programme
 * catalogue, classes from 开班申请 to closing, vouchers, and enrolment with real-name
 * verification. Register it on the platform without a prefix: its routes are under `/v1/`.
 */
export async function trainingService(app: Platform, options: TrainingOptions): Promise<void> {
  const ctx = trainingContext(options)
  institutionRoutes(app, ctx)
  catalogueRoutes(app, ctx)
  catalogueEntryRoutes(app, ctx)
  classRoutes(app, ctx)
  classLifecycleRoutes(app, ctx)
  voucherRoutes(app, ctx)
  enrolmentRoutes(app, ctx)
}
