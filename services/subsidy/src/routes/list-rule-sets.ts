import { entityIdSchema, underPrefix } from '@trec/contracts'
import { TrecError } from '@trec/core'
import {
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
} from '@trec/fastify-kit'
import { z } from 'zod'
import { readRulebook } from '../app/rule-source.ts'
import type { RuleSet } from '../domain/rule-set.ts'
import { effectiveVersions, provinceOf } from '../domain/rulebook.ts'
import type { ResolvedOptions } from '../options.ts'
import { ruleSet } from './rule-sets.ts'

// The rule sets of a province as a list: every version of every set in its rulebook stream, with
// the period each really applies and whether the set was withdrawn, by set id then version (an
// order that never changes: versions are only added). The rulebook is one stream, read whole, so
// the page is cut from it and the total is free. Bounded by the token's region: the sets that
// govern it (a province's set governs its cities) or lie inside it.

const regionPrefix = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')

const item = z
  .object({
    /** The version, its `validTo` the last day it really applies. */
    ruleSet,
    withdrawnFrom: z.string().nullable().describe('The first day the set no longer applies, if withdrawn.'),
  })
  .meta({ id: 'RuleSetListItem', description: 'One version of a rule set, as the list shows it.' })

const page = z
  .object({
    items: z.array(item),
    nextCursor: nextCursorField,
    total: z.int().describe('How many versions match the filter, across every page.'),
  })
  .meta({
    id: 'RuleSetPage',
    description: 'A page of rule-set versions, by set id then version.',
    example: {
      items: [
        {
          ruleSet: {
            id: 'hebei-2026',
            version: 1,
            title: 'Vocational training subsidies, 2026',
            region: '1301',
            validFrom: '2026-01-01',
            source: 'The city’s notice on vocational training subsidies',
            shortageOccupations: {
              source: 'The city’s list of occupations in short supply',
              codes: ['6-18'],
            },
            kinds: {},
            practice: { source: 'National practice', minAttendanceShare: 0.8 },
          },
          withdrawnFrom: null,
        },
      ],
      nextCursor: 'eyJsaXN0IjoicnVsZS1zZXRzIiwiYWZ0ZXIiOlsiaGViZWktMjAyNiIsMV19.q3Jx…',
      total: 1,
    },
  })

/** Whether a set's region and a caller's region meet: one governs or contains the other. */
const meets = (set: string, region: string) => underPrefix(set, region) || underPrefix(region, set)

/** GET /v1/rule-sets: every version of the province's rule sets, paged (officers' view). */
export function listRuleSetsRoute(app: Platform, options: ResolvedOptions): void {
  const sets = pager<{ set: RuleSet; withdrawnFrom: string | null }>('rule-sets', options.cursorKey, (r) => [
    r.set.id,
    r.set.version,
  ])
  app.get(
    '/v1/rule-sets',
    {
      config: {
        auth: {
          roles: ['subsidy_officer', 'finance', 'reviewer', 'investigator', 'auditor', 'institution_staff'],
        },
      },
      schema: {
        tags: ['subsidy'],
        summary: 'Rule sets, every version, with the period each applies',
        operationId: 'listRuleSets',
        description:
          "Every version of the subsidy rule sets of a province's rulebook, by set id then version, with the " +
          'period each really applies (cut short by the next version or a withdrawal) and the day a withdrawn set ' +
          "stopped. The province is the `region`'s, else the token's; the list holds the sets that govern the " +
          "token's region or lie inside it, filtered by `region` (the same) and `id`. `limit` is at most 200 " +
          '(default 50); pass `nextCursor` as `cursor` for the next page (a cursor that was changed, or that ' +
          'another list gave, is refused with 400). `total` counts the whole filter. Amounts are in fen.',
        querystring: z.strictObject({
          region: regionPrefix.optional(),
          id: entityIdSchema.optional(),
          ...pageFields,
        }),
        response: { 200: page },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const region = q.region ?? p.region
      if (region === undefined)
        throw new TrecError('TREC_VALIDATION', 'Name the region whose rule sets to list.', {
          issues: [
            {
              path: ['querystring', 'region'],
              code: 'invalid_type',
              message: 'a region (the token names none)',
            },
          ],
        })
      const after = sets.after(q.cursor)
      const { state } = await readRulebook(options.store, provinceOf(region))
      const all = effectiveVersions(state)
        .filter(
          (s) =>
            meets(s.region, region) &&
            (p.region === undefined || meets(s.region, p.region)) &&
            (q.id === undefined || s.id === q.id),
        )
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version))
        .map((set) => ({ set, withdrawnFrom: state.withdrawn[set.id] ?? null }))
      const from = after
        ? all.findIndex(
            ({ set }) => set.id > String(after[0]) || (set.id === after[0] && set.version > Number(after[1])),
          )
        : 0
      const rows = from < 0 ? [] : all.slice(from, from + q.limit + 1)
      return {
        ...sets.page(rows, q.limit, (r) => ({ ruleSet: r.set, withdrawnFrom: r.withdrawnFrom })),
        total: all.length,
      }
    },
  )
}
