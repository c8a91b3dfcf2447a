import { certificateIssued, certificateRevoked, pseudonymSchema } from '@trec/contracts'
import { assertRegionNamed, inRegionScope, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { z } from 'zod'
import { chinaDate } from '../domain/dates.ts'
import type { ResolvedOptions } from '../options.ts'
import { readEvents, source } from './context.ts'

// GET /v1/workers/:worker/certificates: a worker's certificates, straight from the worker's
// `assessment-{worker}` stream, with whether each is valid, expired or revoked today. The path
// names the pseudonym, never a card number. A caller sees the certificates issued inside its
// token's region (assessors and officers must name one; an investigator without one is
// provincial or national supervision), and every read is an access event of the worker. The
// national rules that count certificates (one per subject, a subsidy per certificate) run inside
// the subsidy service on the whole stream, not through this route.

const certificateView = z
  .object({
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
  .meta({
    id: 'Certificate',
    description: 'A certificate as issued, where, and whether it is valid, expired or revoked today.',
  })
type CertificateView = z.infer<typeof certificateView>

const answer = z
  .object({ worker: z.string().describe('The worker’s pseudonym.'), certificates: z.array(certificateView) })
  .meta({
    id: 'WorkerCertificates',
    description: 'A worker’s certificates issued inside the caller’s region, with their status today.',
    example: {
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      certificates: [
        {
          worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
          certificate: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
          kind: 'skill_level',
          issuer: { kind: 'social_evaluation_org', id: 'org-130100-0007' },
          serial: 'S13010026000042',
          occupationCode: '4-10-01-02',
          level: 4,
          issuedOn: '2026-02-20',
          region: '130102',
          status: 'valid',
          eventId: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e10',
        },
      ],
    },
  })

export function workerCertificateRoutes(app: Platform, o: ResolvedOptions): void {
  app.get(
    '/v1/workers/:worker/certificates',
    {
      config: { auth: { roles: ['assessor', 'subsidy_officer', 'investigator'] } },
      schema: {
        summary: "A worker's certificates and their status today",
        operationId: 'listWorkerCertificates',
        description:
          'Assessors, subsidy officers and investigators read the certificates of a worker (named by pseudonym, never by card number) issued inside their token’s region, each with whether it is valid, expired or revoked today and the event that issued it. Assessors and officers must have a region in their token. Every read is recorded in the worker’s access log.',
        tags: ['assessment'],
        params: z.strictObject({ worker: pseudonymSchema }),
        response: { 200: answer },
      },
    },
    async (request) => {
      const p = principal(request)
      assertRegionNamed(p)
      const { worker } = request.params
      const today = chinaDate(o.clock())
      const byId = new Map<string, CertificateView>()
      for (const e of await readEvents(o.store, `assessment-${worker}`)) {
        if (!inRegionScope(p, e.region)) continue
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
      await o.accessLog.recordRead(
        readerOf(p, String(request.id)),
        { worker, view: 'certificates', found: byId.size > 0 },
        { at: o.clock(), source, region: p.region === undefined ? o.region : p.region.padEnd(6, '0') },
      )
      return { worker, certificates: [...byId.values()] }
    },
  )
}
