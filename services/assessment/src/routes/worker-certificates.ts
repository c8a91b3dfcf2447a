import { certificateIssued, certificateRevoked, pseudonymSchema } from '@trec/contracts'
import type { Platform } from '@trec/fastify-kit'
import { z } from 'zod'
import { chinaDate } from '../domain/dates.ts'
import type { ResolvedOptions } from '../options.ts'
import { readEvents } from './context.ts'

// GET /v1/workers/:worker/certificates: a worker's certificates, straight from the worker's
// `assessment-{worker}` stream, with whether each is valid, expired or revoked today. The path
// names the pseudonym, never a card number. Not filtered by the caller's region: the rules that
// read certificates (one valid certificate per subject; a subsidy per certificate) are national,
// and a certificate issued in another province counts as much as one issued here.

const certificateView = z.object({
  ...certificateIssued.schema.shape,
  /** 行政区划代码 the certificate was issued in. */
  region: z.string(),
  status: z.enum(['valid', 'expired', 'revoked']),
  /** The CertificateIssued event, for citing it as evidence. */
  eventId: z.string(),
  revocation: z
    .object({
      reason: certificateRevoked.schema.shape.reason,
      note: z.string().optional(),
      revokedAt: z.string(),
      eventId: z.string(),
    })
    .optional(),
})
type CertificateView = z.infer<typeof certificateView>

const answer = z.object({ worker: z.string(), certificates: z.array(certificateView) })

export function workerCertificateRoutes(app: Platform, o: ResolvedOptions): void {
  app.get(
    '/v1/workers/:worker/certificates',
    {
      config: { auth: { roles: ['assessor', 'subsidy_officer', 'investigator'] } },
      schema: {
        summary: "A worker's certificates and their status today",
        tags: ['assessment'],
        params: z.strictObject({ worker: pseudonymSchema }),
        response: { 200: answer },
      },
    },
    async (request) => {
      const { worker } = request.params
      const today = chinaDate(o.clock())
      const byId = new Map<string, CertificateView>()
      for (const e of await readEvents(o.store, `assessment-${worker}`)) {
        if (e.type === 'CertificateIssued') {
          const expired = e.data.validUntil !== undefined && e.data.validUntil < today
          byId.set(e.data.certificate, {
            ...e.data,
            region: e.region,
            status: expired ? 'expired' : 'valid',
            eventId: e.id,
          })
        } else if (e.type === 'CertificateRevoked') {
          const held = byId.get(e.data.certificate)
          if (held) {
            held.status = 'revoked'
            held.revocation = {
              reason: e.data.reason,
              ...(e.data.note === undefined ? {} : { note: e.data.note }),
              revokedAt: e.occurredAt,
              eventId: e.id,
            }
          }
        }
      }
      return { worker, certificates: [...byId.values()] }
    },
  )
}
