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
        body,
        response: {
          200: z.object({
            worker: z.string(),
            archive: archiveSchema,
            /** The RecordAccessed event that logged this read. */
            access: z.object({ event: z.string(), flags: z.array(z.string()) }),
          }),
        },
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
      const archive =
        asOf === undefined
          ? ((await options.reads.read(worker)) ?? foldWorkerArchive(worker, []))
          : await readArchiveAsOf(options.db.query, table, worker, asOf)
      const flags =
        purposesNeedingCase.includes(purpose) && caseRef === undefined ? (['no_case_ref'] as const) : []
      const event = await options.accessLog.record(
        {
          worker,
          view: 'archive',
          purpose,
          ...(caseRef === undefined ? {} : { caseRef }),
          ...(consentRef === undefined ? {} : { consentRef }),
          ...(asOf === undefined ? {} : { asOf }),
          client: p.clientId,
          requestId: String(request.id),
          found: archive.found,
          flags: [...flags],
        },
        {
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source: accessSource,
          region: options.region,
        },
      )
      return { worker, archive, access: { event, flags: [...flags] } }
    },
  )
}
