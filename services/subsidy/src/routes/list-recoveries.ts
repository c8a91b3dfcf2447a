import {
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  sqlWhere,
} from '@trec/fastify-kit'
import { z } from 'zod'
import { recoveryStatuses } from '../domain/recovery-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import type { RecoveryListRow } from '../read/claims-projection.ts'

const listQuery = z.strictObject({
  /** A 行政区划代码 prefix of the account's region (intersected with the token's). */
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')
    .optional(),
  status: z.enum(recoveryStatuses).optional(),
  ...pageFields,
})

const recoveryItem = z
  .object({
    recovery: z.string(),
    region: z.string(),
    source: z.enum(['clawback', 'advance_shortfall']),
    claim: z.string().nullable(),
    class: z.string().nullable(),
    debtor: z.object({ kind: z.string(), id: z.string() }),
    /** In fen. */
    amounts: z.object({ due: z.int(), recovered: z.int(), writtenOff: z.int(), outstanding: z.int() }),
    dueOn: z.string(),
    status: z.enum(recoveryStatuses),
  })
  .meta({ id: 'RecoverySummary', description: 'A recovery account as the list shows it; amounts in fen.' })

const example = {
  items: [
    {
      recovery: 'rcv-0c4d1e7a9b2f4c3e8f6a2b1c0d9e8f7a',
      region: '130102',
      source: 'clawback',
      claim: 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1',
      class: null,
      debtor: { kind: 'worker', id: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a' },
      amounts: { due: 150000, recovered: 50000, writtenOff: 0, outstanding: 100000 },
      dueOn: '2026-09-30',
      status: 'partly_recovered',
    },
  ],
}

const recoveryPage = z
  .object({
    items: z.array(recoveryItem),
    nextCursor: nextCursorField,
  })
  .meta({ id: 'RecoveryPage', description: 'A page of recovery accounts, newest first.', example })

function view(r: RecoveryListRow) {
  const due = Number(r.amount)
  const recovered = Number(r.recovered)
  const writtenOff = Number(r.written_off)
  return {
    recovery: r.recovery,
    region: r.region,
    source: r.source_kind as 'clawback' | 'advance_shortfall',
    claim: r.claim,
    class: r.class,
    debtor: { kind: r.debtor_kind, id: r.debtor },
    amounts: { due, recovered, writtenOff, outstanding: due - recovered - writtenOff },
    dueOn: r.due_on,
    status: r.status as (typeof recoveryStatuses)[number],
  }
}

/**
 * GET /v1/recoveries: recovery accounts newest first, inside the token's region, filtered by
 * region prefix and status, paged. Debtors appear by pseudonym or institution id only, so a
 * page is not a read of anyone's record.
 */
export function listRecoveriesRoute(app: Platform, options: ResolvedOptions): void {
  const list = options.claimsList
  if (!list) return
  const recoveries = pager<RecoveryListRow>('recoveries', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/recoveries',
    {
      config: { auth: { roles: ['subsidy_officer', 'finance', 'investigator', 'auditor'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Recovery accounts (追回台账), newest first',
        operationId: 'listRecoveries',
        description:
          'Recovery accounts of clawbacks and advance shortfalls in the order they were opened, newest first, ' +
          "filtered by region prefix and status (due, partly_recovered, recovered, written_off), inside the token's " +
          'region (a `region` outside it gives an empty page). `limit` is at most 200 (default 50); pass ' +
          '`nextCursor` as `cursor` for the next page. A cursor that was changed, or that another list gave, is ' +
          'refused with 400. Amounts are in fen.',
        querystring: listQuery,
        response: { 200: recoveryPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const where = sqlWhere()
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .equals('status', q.status)
        .after('position < ?::int8', recoveries.after(q.cursor))
      const rows = await list.db.query<RecoveryListRow>(
        `select * from ${list.runner.table('recoveries')} ${where.sql()} order by position desc limit ${q.limit + 1}`,
        where.params,
      )
      return recoveries.page(rows, q.limit, view)
    },
  )
}
