import { handleCommand, loadState } from '@trec/command'
import { commandAnswerWith, programmePublished } from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal, staffRoles } from '@trec/fastify-kit'
import { z } from 'zod'
import { catalogueDecider } from '../domain/catalogue.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { streamOf } from '../streams.ts'
import { regionParams } from './schemas.ts'

// The 培训项目目录 of a region: a subsidy officer of the region publishes effective-dated
// programmes (D2 「目录清单管理」); the catalogue is public (D2 「及时向社会公开」).

const fields = programmePublished.schema.shape
const programmeBody = z
  .strictObject({
    region: fields.region,
    occupationCode: fields.occupationCode,
    occupationTitle: fields.occupationTitle,
    level: fields.level,
    subsidyKind: fields.subsidyKind,
    amount: fields.amount,
    shortage: fields.shortage,
    effectiveFrom: fields.effectiveFrom,
    effectiveTo: fields.effectiveTo,
  })
  .refine((p) => p.effectiveTo === undefined || p.effectiveTo >= p.effectiveFrom, {
    message: 'effectiveTo must not be before effectiveFrom',
    path: ['effectiveTo'],
  })
  .meta({ id: 'PublishProgrammeRequest' })

const programmeAnswer = commandAnswerWith(
  'ProgrammeAnswer',
  'programme',
  'prog-01936f4e',
  'The programme published.',
)

const catalogueView = z
  .object({
    region: z.string(),
    programmes: z.array(z.record(z.string(), z.unknown())),
    revision: z.int(),
  })
  .meta({
    id: 'Catalogue',
    description: 'The programmes a region has published, as published, with the catalogue stream’s revision.',
    example: {
      region: '130100',
      programmes: [
        {
          programme: 'prog-01936f4e',
          region: '130100',
          occupationCode: '6-31-01-03',
          occupationTitle: '电工',
          level: 4,
          subsidyKind: 'training',
          amount: 150000,
          shortage: false,
          effectiveFrom: '2021-01-01',
        },
      ],
      revision: 0,
    },
  })

export function catalogueRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/programmes',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        summary: 'Publish a subsidised programme in a region’s catalogue',
        operationId: 'publishProgramme',
        description:
          'A subsidy officer of the region publishes an effective-dated 培训项目目录 entry with its subsidy standard (in fen). Answers the new programme’s id.',
        tags: ['training'],
        body: programmeBody,
        response: { 201: programmeAnswer },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const body = request.body
      assertRegion(caller, body.region)
      const nextId = commandEventIds(request)
      const programme = `prog-${nextId()}`
      const { ids, append } = await handleCommand(ctx.store, catalogueDecider, {
        stream: streamOf.catalogue(body.region),
        command: { kind: 'publish', data: { programme, ...body } },
        meta: metaFor(caller, body.region, ctx.now()),
        nextId,
      })
      return reply.code(201).send({ programme, ids, revision: append.revision })
    },
  )

  app.get(
    '/v1/catalogue/:region',
    {
      config: { auth: { roles: staffRoles } },
      schema: {
        summary: 'The programmes a region has published (not those of the divisions above it)',
        operationId: 'getCatalogue',
        description:
          'Any authenticated caller reads the programmes a region has published (the catalogue is public by policy), each as first published; those of the divisions above it are not included. Adjustments (动态调整) and withdrawals (清退) are in each entry’s history, `GET /v1/catalogues/programmes/{entry}`.',
        tags: ['training'],
        params: regionParams,
        response: {
          200: catalogueView,
        },
      },
    },
    async (request) => {
      const { region } = request.params
      const { state, revision } = await loadState(ctx.store, streamOf.catalogue(region), catalogueDecider)
      return { region, programmes: state.programmes.map((e) => e.published), revision }
    },
  )
}
