import { handleCommand } from '@trec/command'
import {
  commandAnswerWith,
  dateSchema,
  institutionDelisted,
  institutionDesignated,
  noteSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, commandEventIds, type Platform, principal, staffRoles } from '@trec/fastify-kit'
import { z } from 'zod'
import { institutionDecider, standingOn } from '../domain/institution.ts'
import { chinaDate } from '../domain/time.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { loadInstitution, streamOf } from '../streams.ts'
import { appended, institutionParams } from './schemas.ts'

// 定点 and 清退 of training institutions. Designation is by an administrator or a subsidy officer
// of the institution's region; delisting by a subsidy officer of its region. The designated list
// is public (D2: catalogues are 「及时向社会公开」), so any authenticated caller may read an entry.

const delistingBody = z
  .strictObject({
    reason: institutionDelisted.schema.shape.reason,
    note: noteSchema.optional(),
    /** The day it takes effect; today (UTC+8) when not given. */
    effectiveFrom: dateSchema.optional(),
  })
  .meta({ id: 'DelistInstitutionRequest' })

const designationBody = institutionDesignated.schema.meta({ id: 'DesignateInstitutionRequest' })
const designationAnswer = commandAnswerWith(
  'DesignationAnswer',
  'institution',
  'inst-130102-0001',
  'The institution designated.',
)

const institutionView = z
  .object({
    institution: z.string(),
    legalName: z.string(),
    uscc: z.string(),
    region: z.string(),
    kinds: z.array(z.string()),
    designatedFrom: z.string(),
    /** Where it stands today: pending (designated from a later date), designated or delisted. */
    standing: z.enum(['pending', 'designated', 'delisted']),
    delisting: z
      .object({ reason: z.string(), effectiveFrom: z.string(), note: z.string().optional() })
      .optional(),
    revision: z.int(),
  })
  .meta({
    id: 'Institution',
    description: 'An institution on the designated list and where it stands today.',
    example: {
      institution: 'inst-130102-0001',
      legalName: '石家庄市长安区职业技能培训学校',
      uscc: '52130100MJ0123456N',
      region: '130102',
      kinds: ['technical_school'],
      designatedFrom: '2021-01-01',
      standing: 'designated',
      revision: 0,
    },
  })

async function designatedInstitution(ctx: TrainingContext, id: string) {
  const loaded = await loadInstitution(ctx.store, id)
  const designation = loaded.state.designation
  if (!designation)
    throw new TrecError('TREC_NOT_FOUND', `no designated institution ${id}`, { details: { institution: id } })
  return { ...loaded, designation }
}

export function institutionRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/institutions',
    {
      config: { auth: { roles: ['admin', 'subsidy_officer'] } },
      schema: {
        summary: 'Designate an institution (定点)',
        operationId: 'designateInstitution',
        description:
          'An administrator, or a subsidy officer of the institution’s region, puts a training institution on the designated list (定点) from a given day. Answers the institution’s id.',
        tags: ['training'],
        body: designationBody,
        response: { 201: designationAnswer },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const body = request.body
      assertRegion(caller, body.region)
      const { ids, append } = await handleCommand(ctx.store, institutionDecider, {
        stream: streamOf.institution(body.institution),
        command: { kind: 'designate', data: body },
        meta: metaFor(caller, body.region, ctx.now()),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ institution: body.institution, ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/institutions/:institution/delisting',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        summary: 'Delist an institution (清退)',
        operationId: 'delistInstitution',
        description:
          'A subsidy officer of the institution’s region takes it off the designated list (清退) from a given day (today, UTC+8, by default); classes it has not yet opened can no longer open.',
        tags: ['training'],
        params: institutionParams,
        body: delistingBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const id = request.params.institution
      const { designation } = await designatedInstitution(ctx, id)
      assertRegion(caller, designation.region)
      const now = ctx.now()
      const { note, reason, effectiveFrom = chinaDate(now) } = request.body
      const data = { institution: id, reason, effectiveFrom, ...(note === undefined ? {} : { note }) }
      const { ids, append } = await handleCommand(ctx.store, institutionDecider, {
        stream: streamOf.institution(id),
        command: { kind: 'delist', data },
        meta: metaFor(caller, designation.region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.get(
    '/v1/institutions/:institution',
    {
      config: { auth: { roles: staffRoles } },
      schema: {
        summary: 'An institution on the designated list',
        operationId: 'getInstitution',
        description:
          'Any authenticated caller reads an entry of the designated list (public by policy): who it is, its region and kinds, and whether it is pending, designated or delisted today.',
        tags: ['training'],
        params: institutionParams,
        response: { 200: institutionView },
      },
    },
    async (request) => {
      const { state, revision, designation } = await designatedInstitution(ctx, request.params.institution)
      const standing = standingOn(state, chinaDate(ctx.now()))
      const { institution, legalName, uscc, region, kinds, effectiveFrom } = designation
      return {
        institution,
        legalName,
        uscc,
        region,
        kinds,
        designatedFrom: effectiveFrom,
        standing: standing === 'unknown' ? 'pending' : standing,
        ...(state.delisting
          ? {
              delisting: {
                reason: state.delisting.reason,
                effectiveFrom: state.delisting.effectiveFrom,
                ...(state.delisting.note === undefined ? {} : { note: state.delisting.note }),
              },
            }
          : {}),
        revision,
      }
    },
  )
}
