import { handleCommand, loadState } from '@trec/command'
import {
  type CatalogueName,
  type DatedEntry,
  type DatedTerms,
  dateSchema,
  entityIdSchema,
  evaluationBodyEvents,
  listedInstitutionEvents,
  noteSchema,
  programmeAdjusted,
  regionCodeSchema,
  shortageOccupationEvents,
  spanOf,
  versionOn,
  versionsOf,
  withdrawalReasons,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import {
  assertRegion,
  commandEventIds,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  staffRoles,
} from '@trec/fastify-kit'
import { z } from 'zod'
import { catalogueDecider } from '../domain/catalogue.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { loadCatalogues, streamOf } from '../streams.ts'
import { appended } from './schemas.ts'

// The four effective-dated catalogues of a region (docs/domain.md, "Catalogues"), one set of
// routes each: publish an entry (the programmes' is POST /v1/programmes), 动态调整 (adjustments),
// 清退 (withdrawal), the entries that apply in a region (optionally as of a day) as a paged list,
// and one entry's history. Writes are a subsidy officer's of the entry's region; the catalogues
// are public (D2 「及时向社会公开」), so any staff member reads them.

interface CatalogueRoutes {
  name: CatalogueName
  /** The path segment: /v1/catalogues/{slug}. */
  slug: string
  /** PascalCase, for operation ids and schema ids. */
  title: string
  /** What the catalogue is called, for summaries. */
  what: string
  /** The changes a 动态调整 may make: some of the entry's terms. */
  terms: z.ZodType
  /** The body that publishes an entry (the programmes' route is older and separate). */
  publish?: { body: z.ZodType; prefix: string }
  /** An example of the changes of an adjustment. */
  changesExample: Record<string, unknown>
}

/** An entry's published body: the published event's fields without the id the service mints. */
function publishBody(events: readonly [{ schema: z.ZodType }, ...unknown[]], id: string, example: object) {
  const inner = (events[0].schema as unknown as { def: { in?: z.ZodObject } }).def.in
  const shape = (inner ?? (events[0].schema as z.ZodObject)).shape
  const { entry: _, ...fields } = shape
  return z
    .strictObject(fields)
    .refine((p) => p.effectiveTo === undefined || (p.effectiveTo as string) >= (p.effectiveFrom as string), {
      message: 'effectiveTo must not be before effectiveFrom',
      path: ['effectiveTo'],
    })
    .meta({ id, example })
}

const termsOf = (events: readonly [unknown, { schema: z.ZodType }, unknown]) =>
  (events[1].schema as z.ZodObject).shape.changes as unknown as z.ZodType

const catalogues: CatalogueRoutes[] = [
  {
    name: 'programmes',
    slug: 'programmes',
    title: 'Programme',
    what: '培训项目目录',
    terms: termsOf([undefined, programmeAdjusted, undefined]) as never,
    changesExample: { amount: 250000 },
  },
  {
    name: 'institutions',
    slug: 'institutions',
    title: 'ListedInstitution',
    what: '定点培训机构目录',
    terms: termsOf(listedInstitutionEvents) as never,
    publish: {
      prefix: 'lst',
      body: publishBody(listedInstitutionEvents, 'PublishListedInstitutionRequest', {
        region: '130100',
        institution: 'inst-130100-0042',
        legalName: '石家庄市某职业培训学校',
        occupations: ['6-31'],
        effectiveFrom: '2026-01-01',
      }),
    },
    changesExample: { occupations: ['6-31', '4-07'] },
  },
  {
    name: 'evaluationBodies',
    slug: 'evaluation-bodies',
    title: 'EvaluationBody',
    what: '评价机构目录',
    terms: termsOf(evaluationBodyEvents) as never,
    publish: {
      prefix: 'evb',
      body: publishBody(evaluationBodyEvents, 'PublishEvaluationBodyRequest', {
        region: '130000',
        body: 'eval-130100-0007',
        kind: 'social_evaluation_org',
        name: '某社会培训评价组织',
        effectiveFrom: '2026-01-01',
      }),
    },
    changesExample: { name: '某社会培训评价组织（更名）' },
  },
  {
    name: 'shortageOccupations',
    slug: 'shortage-occupations',
    title: 'ShortageOccupation',
    what: '紧缺职业（工种）目录',
    terms: termsOf(shortageOccupationEvents) as never,
    publish: {
      prefix: 'sho',
      body: publishBody(shortageOccupationEvents, 'PublishShortageOccupationRequest', {
        region: '130100',
        occupationCode: '6-31-01-03',
        occupationTitle: '电工',
        effectiveFrom: '2026-01-01',
      }),
    },
    changesExample: { occupationTitle: '电工（高压）' },
  },
]

const entryAnswer = z.object({ ids: z.array(z.string()), revision: z.int(), entry: z.string() }).meta({
  id: 'CatalogueEntryAnswer',
  description: 'The events the command appended, the revision of the catalogue stream, and the entry’s id.',
  example: { ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'], revision: 3, entry: 'lst-01936f4e' },
})

const withdrawalBody = z
  .strictObject({
    region: regionCodeSchema.describe('The region whose catalogue holds the entry.'),
    effectiveFrom: dateSchema.describe('The first day the entry is no longer in force.'),
    reason: z.enum(withdrawalReasons),
    note: noteSchema.optional(),
  })
  .meta({
    id: 'CatalogueWithdrawalRequest',
    example: {
      region: '130100',
      effectiveFrom: '2026-07-01',
      reason: 'inspection_failed',
      note: '年度检查不合格',
    },
  })

const entryParams = z.strictObject({ entry: entityIdSchema })

const withdrawalView = z
  .object({ effectiveFrom: z.string(), reason: z.string(), note: z.string().optional() })
  .nullable()
  .describe('The 清退, when the entry was withdrawn: the first day it is no longer in force.')

const listItem = z
  .object({
    entry: z.string(),
    region: z.string(),
    terms: z
      .record(z.string(), z.unknown())
      .describe('The entry as in force on `asOf` (that version), or over its life with its latest terms.'),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable().describe('The last day in force (of that version, or of the entry).'),
    withdrawal: withdrawalView,
  })
  .meta({ id: 'CatalogueListItem', description: 'One entry of a catalogue, as the list shows it.' })

const listPage = z
  .object({
    items: z.array(listItem),
    nextCursor: nextCursorField,
    total: z.int().describe('How many entries match the filter, across every page.'),
  })
  .meta({
    id: 'CatalogueEntryPage',
    description: 'A page of catalogue entries, by entry id.',
    example: {
      items: [
        {
          entry: 'lst-01936f4e',
          region: '130100',
          terms: { institution: 'inst-130100-0042', legalName: '石家庄市某职业培训学校' },
          effectiveFrom: '2026-01-01',
          effectiveTo: null,
          withdrawal: null,
        },
      ],
      total: 1,
    },
  })

const history = z
  .object({
    entry: z.string(),
    region: z.string(),
    published: z.record(z.string(), z.unknown()).describe('The entry as first published.'),
    adjustments: z.array(
      z.object({ effectiveFrom: z.string(), changes: z.record(z.string(), z.unknown()), reason: z.string() }),
    ),
    withdrawal: withdrawalView,
    versions: z
      .array(z.record(z.string(), z.unknown()))
      .describe('Each version with the days it is (or was) in force, oldest first.'),
  })
  .meta({
    id: 'CatalogueEntryHistory',
    description: 'One catalogue entry: as published, each 动态调整, its 清退, and the versions these give.',
    example: {
      entry: 'prog-01936f4e',
      region: '130100',
      published: { programme: 'prog-01936f4e', amount: 150000, effectiveFrom: '2026-01-01' },
      adjustments: [{ effectiveFrom: '2026-07-01', changes: { amount: 180000 }, reason: '调整补贴标准' }],
      withdrawal: null,
      versions: [
        {
          programme: 'prog-01936f4e',
          amount: 150000,
          effectiveFrom: '2026-01-01',
          effectiveTo: '2026-06-30',
        },
        { programme: 'prog-01936f4e', amount: 180000, effectiveFrom: '2026-07-01' },
      ],
    },
  })

const listQuery = z.strictObject({
  region: regionCodeSchema
    .optional()
    .describe('The entries that apply in this region: its own and those of the divisions above it.'),
  asOf: dateSchema.optional().describe('Only the entries in force on this day, each as that day’s version.'),
  ...pageFields,
})

const regionQuery = z.strictObject({
  region: regionCodeSchema.describe('The region whose catalogue holds the entry.'),
})

type Row = Record<string, unknown>

const withdrawalOf = (e: DatedEntry<DatedTerms>) => e.withdrawal ?? null

function routesOf(app: Platform, ctx: TrainingContext, c: CatalogueRoutes): void {
  const base = `/v1/catalogues/${c.slug}`
  const write = { config: { auth: { roles: ['subsidy_officer'] as const } } }
  const adjustmentBody = z
    .strictObject({
      region: regionCodeSchema.describe('The region whose catalogue holds the entry.'),
      effectiveFrom: dateSchema.describe(
        'The first day of the new version; the previous one ends the day before.',
      ),
      changes: c.terms,
      reason: noteSchema,
    })
    .meta({
      id: `${c.title}AdjustmentRequest`,
      example: {
        region: '130100',
        effectiveFrom: '2026-07-01',
        changes: c.changesExample,
        reason: '动态调整',
      },
    })

  if (c.publish) {
    const { body, prefix } = c.publish
    app.post(
      base,
      {
        ...write,
        schema: {
          summary: `Publish an entry in a region’s ${c.what}`,
          operationId: `publish${c.title}`,
          description: `A subsidy officer of the region publishes an effective-dated entry of the ${c.what}. Two entries naming the same thing may not be in force on the same day (422 catalogue-validity-overlap). Answers the entry’s id.`,
          tags: ['training'],
          body,
          response: { 201: entryAnswer },
        },
      },
      async (request, reply) => {
        const caller = principal(request)
        const data = request.body as DatedTerms
        assertRegion(caller, data.region)
        const nextId = commandEventIds(request)
        const entry = `${prefix}-${nextId()}`
        const { ids, append } = await handleCommand(ctx.store, catalogueDecider, {
          stream: streamOf.catalogue(data.region),
          command: { kind: 'publish', catalogue: c.name, data: { entry, ...data } },
          meta: metaFor(caller, data.region, ctx.now()),
          nextId,
        })
        return reply.code(201).send({ entry, ids, revision: append.revision })
      },
    )
  }

  app.post(
    `${base}/:entry/adjustments`,
    {
      ...write,
      schema: {
        summary: `Adjust an entry of the ${c.what} from a day (动态调整)`,
        operationId: `adjust${c.title}`,
        description: `A subsidy officer of the entry’s region gives it new terms from \`effectiveFrom\`; the version before ends the day before and stays in the history. Refused (422) for a withdrawn entry, a day not after the current version’s start, or a day after the entry ends. The same adjustment sent again appends nothing.`,
        tags: ['training'],
        params: entryParams,
        body: adjustmentBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const { region, ...rest } = request.body as {
        region: string
        effectiveFrom: string
        changes: Record<string, unknown>
        reason: string
      }
      assertRegion(caller, region)
      const { ids, append } = await handleCommand(ctx.store, catalogueDecider, {
        stream: streamOf.catalogue(region),
        command: { kind: 'adjust', catalogue: c.name, entry: request.params.entry, region, ...rest },
        meta: metaFor(caller, region, ctx.now()),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.post(
    `${base}/:entry/withdrawal`,
    {
      ...write,
      schema: {
        summary: `Withdraw an entry from the ${c.what} from a day (清退)`,
        operationId: `withdraw${c.title}`,
        description: `A subsidy officer of the entry’s region withdraws it from \`effectiveFrom\` with a reason. Refused (422) before the entry comes into force, after it ended, or when already withdrawn on another day; the same withdrawal sent again appends nothing.`,
        tags: ['training'],
        params: entryParams,
        body: withdrawalBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const { region, ...rest } = request.body
      assertRegion(caller, region)
      const { ids, append } = await handleCommand(ctx.store, catalogueDecider, {
        stream: streamOf.catalogue(region),
        command: { kind: 'withdraw', catalogue: c.name, entry: request.params.entry, region, ...rest },
        meta: metaFor(caller, region, ctx.now()),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  const pages = pager<DatedEntry<DatedTerms>>(`catalogue-${c.slug}`, ctx.cursorKey, (e) => [e.id])
  app.get(
    base,
    {
      config: { auth: { roles: staffRoles } },
      schema: {
        summary: `The entries of the ${c.what} that apply in a region`,
        operationId: `list${c.title}Entries`,
        description: `The entries of the ${c.what} of \`region\` (else the token’s) and of the divisions above it, by entry id; with \`asOf\`, only those in force that day, each as that day’s version. \`limit\` is at most 200 (default 50); pass \`nextCursor\` as \`cursor\` for the next page (a changed cursor, or one another list gave, is refused with 400).`,
        tags: ['training'],
        querystring: listQuery,
        response: { 200: listPage },
      },
    },
    async (request) => {
      const caller = principal(request)
      const q = request.query
      const region = q.region ?? caller.region
      if (region === undefined || region.length !== 6)
        throw new TrecError('TREC_VALIDATION', 'Name the region whose catalogue to list.', {
          issues: [
            {
              path: ['querystring', 'region'],
              code: 'invalid_type',
              message: 'a six-digit region (the token names none)',
            },
          ],
        })
      const after = pages.after(q.cursor)
      const all = (await loadCatalogues(ctx.store, region))
        .flatMap((cat) => cat[c.name] as DatedEntry<DatedTerms>[])
        .filter((e) => q.asOf === undefined || versionOn(e, q.asOf) !== undefined)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const rest = after === undefined ? all : all.filter((e) => e.id > String(after[0]))
      const page = pages.page(rest.slice(0, q.limit + 1), q.limit, (e) => {
        const shown = (q.asOf === undefined ? spanOf(e) : versionOn(e, q.asOf)) ?? spanOf(e)
        const { effectiveFrom, effectiveTo, region: r, ...terms } = shown
        return {
          entry: e.id,
          region: r,
          terms,
          effectiveFrom,
          effectiveTo: effectiveTo ?? null,
          withdrawal: withdrawalOf(e),
        }
      })
      return { ...page, total: all.length }
    },
  )

  app.get(
    `${base}/:entry`,
    {
      config: { auth: { roles: staffRoles } },
      schema: {
        summary: `One entry of the ${c.what} with its history`,
        operationId: `get${c.title}History`,
        description: `The entry as published, each 动态调整, its 清退, and the versions these give with the days each is in force. 404 when the region’s catalogue has no such entry.`,
        tags: ['training'],
        params: entryParams,
        querystring: regionQuery,
        response: { 200: history },
      },
    },
    async (request) => {
      const { region } = request.query
      const { state } = await loadState(ctx.store, streamOf.catalogue(region), catalogueDecider)
      const entry = (state[c.name] as DatedEntry<DatedTerms>[]).find((e) => e.id === request.params.entry)
      if (!entry)
        throw new TrecError(
          'TREC_NOT_FOUND',
          `no entry ${request.params.entry} in the ${c.slug} catalogue of ${region}`,
          {
            details: { entry: request.params.entry, region },
          },
        )
      return {
        entry: entry.id,
        region,
        published: entry.published as unknown as Row,
        adjustments: entry.adjustments as { effectiveFrom: string; changes: Row; reason: string }[],
        withdrawal: withdrawalOf(entry),
        versions: versionsOf(entry) as unknown as Row[],
      }
    },
  )
}

export function catalogueEntryRoutes(app: Platform, ctx: TrainingContext): void {
  for (const c of catalogues) routesOf(app, ctx, c)
}
