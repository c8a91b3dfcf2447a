import { assertCitedCase } from '@trec/command'
import { accessPurposes, entityIdSchema, instantSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import {
  actorOf,
  assertRegion,
  inRegionScope,
  type Platform,
  principal,
  refuseIdempotencyKey,
} from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { foldWorkerArchive } from '@trec/readmodels'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { accessSource } from '../options.ts'
import { readArchiveAsOf } from '../projection.ts'
import { lookupPurposes, purposesNeedingCase } from '../purposes.ts'
import { archiveSchema } from './schemas.ts'

const lookupBody = z
  .strictObject({
    /** The social-security card number, in any spelling people type. Only ever in a POST body. */
    cardNumber: cardNumberSchema,
    purpose: z.enum(accessPurposes),
    caseRef: entityIdSchema.optional(),
    consentRef: entityIdSchema.optional(),
    /** Show the archive as the record stood at this instant (transaction time). */
    asOf: instantSchema.optional(),
  })
  .refine((b) => b.purpose !== 'consented_disclosure' || b.consentRef !== undefined, {
    message: 'a consented disclosure names the consent (consentRef)',
    path: ['consentRef'],
  })
  .meta({
    id: 'ArchiveLookupRequest',
    description:
      'Whose archive (by card number, in the body only), for what purpose, under which case or consent, and as of when.',
  })

export const archiveRecord = z
  .object({
    worker: z.string().describe('The worker’s pseudonym (the card number is never answered).'),
    archive: archiveSchema,
    access: z
      .object({ event: z.string(), flags: z.array(z.string()) })
      .describe('The RecordAccessed event that logged this read, and its review flags (`no_case_ref`).'),
  })
  .meta({
    id: 'ArchiveRecord',
    description: 'A worker’s lifelong archive, and the access event that logged the read.',
    example: {
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      archive: {
        worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
        asOf: null,
        found: true,
        throughPosition: '1024',
        trainings: [
          {
            class: 'class-130102-0042',
            institution: 'inst-130102-0001',
            institutionName: '石家庄市长安区职业技能培训学校',
            occupationCode: '4-10-01-01',
            occupationTitle: '保育师',
            level: 4,
            region: '130102',
            mode: 'offline',
            plannedHours: 80,
            enrolledAt: '2026-01-05T01:00:00.000Z',
            identityVerified: true,
            status: 'passed',
            completion: {
              completedAt: '2026-02-10T09:00:00.000Z',
              attendedHours: 78,
              requiredHours: 72,
              attendanceShare: 0.975,
              passed: true,
            },
          },
        ],
        assessments: [],
        certificates: [],
        subsidies: {
          byYear: [{ year: 2026, payments: 1, paid: 150000, clawedBack: 0, net: 150000 }],
          payments: [
            {
              claim: 'claim-0191b7a4',
              kind: 'vocational_skill',
              class: 'class-130102-0042',
              amount: 150000,
              payee: { kind: 'worker', id: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a' },
              paidAt: '2026-03-02T08:00:00.000Z',
              year: 2026,
              clawedBack: 0,
            },
          ],
          recoveries: [],
        },
        totals: { trainings: 1, passed: 1, hours: 78, certificates: 0, subsidyNet: 150000 },
      },
      access: { event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6', flags: [] },
    },
  })

/**
 * POST /v1/archive/lookup (card_service, investigator): the lifelong archive of the worker whose
 * card number is in the body. The number becomes the pseudonym as the body is validated and is
 * not kept, logged or answered. The read is appended to `access-{worker}` before the answer.
 */
export function lookupRoute(app: Platform, options: ResolvedOptions): void {
  // The card number is replaced by its pseudonym during validation: nothing after sees it.
  // The first six digits of a card number are the 行政区划代码 that issued it: what bounds a
  // provincial card platform, or a regional investigator reading without a case.
  const body = lookupBody.transform(({ cardNumber, ...rest }) => ({
    worker: options.pseudonymizer.pseudonym(cardNumber),
    issuedIn: cardNumber.slice(0, 6),
    ...rest,
  }))
  const table = (name: string) => options.runner.table(name)
  app.post(
    '/v1/archive/lookup',
    {
      config: { auth: { roles: ['card_service', 'investigator'] } },
      onRequest: refuseIdempotencyKey,
      schema: {
        tags: ['archive'],
        summary: 'The lifelong archive of a worker, by card number, for a stated purpose',
        operationId: 'lookUpArchive',
        description:
          'A card service or an investigator reads the lifelong training archive of the worker whose card number ' +
          'is in the body (never in the URL): trainings, assessments, certificates and subsidies, now or `asOf` an ' +
          'instant. The purpose must be one the role may state (403 otherwise). A case cited for a fraud case or an ' +
          'inspection must be open, in the caller’s region and about the worker (403); without one, only cards issued ' +
          'in the caller’s region are reached, and the read is flagged `no_case_ref` where a case was expected. The ' +
          'read is logged (RecordAccessed) before the answer; it is a read, so an Idempotency-Key is refused with 400.',
        body,
        response: { 200: archiveRecord },
      },
    },
    async (request) => {
      const p = principal(request)
      const { worker, issuedIn, purpose, caseRef, consentRef, asOf } = request.body
      if (!lookupPurposes[p.role]?.includes(purpose))
        throw new TrecError('TREC_FORBIDDEN', `a ${p.role} may not read a record for ${purpose}`, {
          details: { reason: 'purpose not allowed for role', purpose, allowed: lookupPurposes[p.role] ?? [] },
        })
      // Break-glass is bounded: a cited case must be open, in the token's region and about this
      // worker; without one, a token that names a region reads only cards issued inside it.
      if (caseRef !== undefined && purposesNeedingCase.includes(purpose))
        await assertCitedCase(options.store, caseRef, {
          about: { kind: 'worker', id: worker },
          inScope: (r) => inRegionScope(p, r),
        })
      else assertRegion(p, issuedIn)
      const flags =
        purposesNeedingCase.includes(purpose) && caseRef === undefined ? (['no_case_ref'] as const) : []
      const access = {
        worker,
        view: 'archive' as const,
        purpose,
        ...(caseRef === undefined ? {} : { caseRef }),
        ...(consentRef === undefined ? {} : { consentRef }),
        ...(asOf === undefined ? {} : { asOf }),
        client: p.clientId,
        requestId: String(request.id),
        flags: [...flags],
      }
      const meta = {
        occurredAt: options.clock().toISOString(),
        actor: actorOf(p),
        source: accessSource,
        region: options.region,
      }
      if (asOf === undefined) {
        // The read and its access event, in one statement where the store allows (archive-lookups.ts).
        const looked = await options.lookups.lookUp({ worker, access, meta })
        const archive = looked.archive ?? foldWorkerArchive(worker, [])
        return { worker, archive, access: { event: looked.event, flags: [...flags] } }
      }
      const archive = await readArchiveAsOf(options.db.query, table, worker, asOf)
      const event = await options.accessLog.record({ ...access, found: archive.found }, meta)
      return { worker, archive, access: { event, flags: [...flags] } }
    },
  )
}
