import { check, handleCommand } from '@trec/command'
import {
  commandAnswerWith,
  dateSchema,
  decodeRecorded,
  institutionDelisted,
  institutionDesignated,
  noteSchema,
  sanctionCitationSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, commandEventIds, type Platform, principal, staffRoles } from '@trec/fastify-kit'
import { z } from 'zod'
import { institutionDecider, standingOn, suspensionOn } from '../domain/institution.ts'
import { type Citation, citationViolation } from '../domain/sanction-citation.ts'
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
    /** The case and its CaseSanctionDecided (kind delisting) this carries out, when it comes from a case. */
    sanction: sanctionCitationSchema.optional(),
  })
  .meta({ id: 'DelistInstitutionRequest' })

const suspensionBody = z
  .strictObject({
    /** The case and its CaseSanctionDecided (kind suspension) this carries out. */
    sanction: sanctionCitationSchema,
    /** First and last day (China) of the suspension, both included. */
    from: dateSchema,
    to: dateSchema,
    note: noteSchema.optional(),
  })
  .refine((b) => b.from <= b.to, { message: 'must be on or after from', path: ['to'] })
  .meta({
    id: 'SuspendInstitutionRequest',
    example: {
      sanction: { case: 'case-130102-0001', decision: '0190a0b1-0000-7000-8000-000000000001' },
      from: '2026-03-01',
      to: '2026-05-31',
      note: '暂停补贴性培训资格三个月',
    },
  })

/** The cited sanction, checked on the case's own stream (the oversight context's, read only). */
async function assertCitation(
  ctx: TrainingContext,
  citation: Citation,
  expected: { institution: string; region: string; kind: 'suspension' | 'delisting' },
): Promise<void> {
  const facts = (await ctx.store.readStream(`oversight-${citation.case}`)).map((r) => {
    const { id, type, data } = decodeRecorded(r)
    return { id, type, data: data as Record<string, unknown> }
  })
  check(citationViolation(facts, citation, expected))
}

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
      .object({
        reason: z.string(),
        effectiveFrom: z.string(),
        note: z.string().optional(),
        sanction: sanctionCitationSchema.optional(),
      })
      .optional(),
    /** Every suspension on the record, oldest first; `suspendedToday` when one is in force today. */
    suspensions: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        sanction: sanctionCitationSchema,
        note: z.string().optional(),
      }),
    ),
    suspendedToday: z.boolean(),
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
      suspensions: [],
      suspendedToday: false,
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
      const { note, reason, effectiveFrom = chinaDate(now), sanction } = request.body
      if (sanction)
        await assertCitation(ctx, sanction, {
          institution: id,
          region: designation.region,
          kind: 'delisting',
        })
      const data = {
        institution: id,
        reason,
        effectiveFrom,
        ...(note === undefined ? {} : { note }),
        ...(sanction === undefined ? {} : { sanction }),
      }
      const { ids, append } = await handleCommand(ctx.store, institutionDecider, {
        stream: streamOf.institution(id),
        command: { kind: 'delist', data },
        meta: metaFor(caller, designation.region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/institutions/:institution/suspension',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        summary: 'Suspend an institution (暂停补贴性培训资格)',
        operationId: 'suspendInstitution',
        description:
          'A subsidy officer of the institution’s region carries out a suspension decided in an oversight case (citing the case and its CaseSanctionDecided of kind suspension): from the first to the last day given, the institution opens no class, enrols no one and is paid no claim. It ends by itself after the last day.',
        tags: ['training'],
        params: institutionParams,
        body: suspensionBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const id = request.params.institution
      const { designation } = await designatedInstitution(ctx, id)
      assertRegion(caller, designation.region)
      const { sanction, from, to, note } = request.body
      await assertCitation(ctx, sanction, { institution: id, region: designation.region, kind: 'suspension' })
      const now = ctx.now()
      const { ids, append } = await handleCommand(ctx.store, institutionDecider, {
        stream: streamOf.institution(id),
        command: {
          kind: 'suspend',
          data: { institution: id, from, to, sanction, ...(note === undefined ? {} : { note }) },
        },
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
          'Any authenticated caller reads an entry of the designated list (public by policy): who it is, its region and kinds, whether it is pending, designated or delisted today, and its suspensions.',
        tags: ['training'],
        params: institutionParams,
        response: { 200: institutionView },
      },
    },
    async (request) => {
      const { state, revision, designation } = await designatedInstitution(ctx, request.params.institution)
      const today = chinaDate(ctx.now())
      const standing = standingOn(state, today)
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
                ...(state.delisting.sanction === undefined ? {} : { sanction: state.delisting.sanction }),
              },
            }
          : {}),
        suspensions: state.suspensions ?? [],
        suspendedToday: suspensionOn(state, today) !== undefined,
        revision,
      }
    },
  )
}
