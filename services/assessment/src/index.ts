import type { Platform } from '@trec/fastify-kit'
import { type AssessmentOptions, resolveOptions } from './options.ts'
import { assessmentResultRoutes } from './routes/assessment-results.ts'
import { certificateRoutes } from './routes/certificates.ts'
import { completionRoutes } from './routes/completions.ts'
import { workerCertificateRoutes } from './routes/worker-certificates.ts'

export type { AssessmentOptions } from './options.ts'

/**
 * The assessment write side: completions (结业) computed from the attendance record, assessment
 * results, certificates of the five kinds with serials unique per issuer, and revocation.
 * Register it on a platform (`buildPlatform`) without a prefix: its routes are under `/v1/`.
 */
export async function assessmentService(app: Platform, options: AssessmentOptions): Promise<void> {
  const resolved = resolveOptions(options)
  completionRoutes(app, resolved)
  assessmentResultRoutes(app, resolved)
  certificateRoutes(app, resolved)
  workerCertificateRoutes(app, resolved)
}
