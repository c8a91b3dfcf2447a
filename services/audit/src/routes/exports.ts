import { Readable } from 'node:stream'
import { assertCitedCase, type CitedFor } from '@trec/command'
import {
  accessPurposes,
  entityIdSchema,
  instantSchema,
  pseudonymSchema,
  streamFor,
  toEventToAppend,
} from '@trec/contracts'
import { type Issue, TrecError } from '@trec/core'
import { actorOf, assertRegion, inRegionScope, type Platform, principal } from '@trec/fastify-kit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { selectLeaves } from '../export/select.ts'
import { exportHeader, exportLines, leafIndexDigest } from '../export/stream.ts'
import type { ResolvedAuditOptions } from '../options.ts'
import type { Selection } from '../selection.ts'
import { assertTreeHas, exporters, findCheckpoint, sizeSchema } from './common.ts'

// Exports as NDJSON (application/x-ndjson), streamed: line 1 names the checkpoint (signed note
// and JWS) and the selection, then one line per event with its leaf index and inclusion proof
// against that checkpoint (export/stream.ts). Every export is first recorded as a
// RecordsExported access event — who (the token), when, what, and the declared purpose — in
// `access-{worker}` for a worker's history and `access-audit` otherwise. The append happens
// before the first byte is sent, and an export whose access event cannot be written is not sent
// (docs/architecture.md, "Reads are recorded": fail closed).

const common = {
  /** Why the records are exported; investigations and inspections also name their case. */
  purpose: z.enum(accessPurposes),
  case: entityIdSchema.optional(),
  /** The checkpoint size to prove against (default: the newest checkpoint). */
  size: sizeSchema.optional(),
  /** Tree sizes (e.g. of checkpoints you hold) to include consistency proofs from, comma-separated. */
  consistencyWith: z
    .string()
    .regex(/^[1-9][0-9]{0,15}(,[1-9][0-9]{0,15}){0,31}$/, 'up to 32 tree sizes, comma-separated')
    .optional(),
}
const query = z.strictObject(common)
const periodQuery = z.strictObject({ ...common, from: instantSchema, to: instantSchema })

type ExportQuery = z.infer<typeof query>

const exportBody = z.string().meta({
  id: 'AuditExport',
  description:
    'NDJSON: line 1 the header (format, the checkpoint proved against as signed note and JWS, the selection, ' +
    'the number of events and the digest of their leaf indexes, consistency proofs, the access event that ' +
    'recorded the export); then one line per event, `{"event":<the logged envelope>,"index":<leaf index>,"proof":[<base64>…]}`. ' +
    '`trec-verify` checks it offline against pinned keys.',
  example:
    '{"format":"trec-audit-export/1","checkpoint":{"size":1024,"note":"…","jws":"…"},"selection":{"kind":"claim","claim":"claim-0001"},"events":1,"leafIndexDigest":"9f2c…","consistency":[],"access":{"eventId":"0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6","stream":"access-audit"},"exportedAt":"2026-03-02T08:00:00.000Z"}\n' +
    '{"event":{"id":"0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7","type":"SubsidyPaid","…":"…"},"index":17,"proof":["Zp2cR1Vx9T0k3mJt7Yw1xV6uP0aE9sLcq5mT0Vd3f1k="]}\n',
})

/** What every export route says of itself; `operationId` and the first words of its description differ. */
const routeSchema = (operationId: string, summary: string, what: string) => ({
  summary,
  operationId,
  description:
    `An auditor exports ${what} as NDJSON (\`application/x-ndjson\`, streamed): the checkpoint it is proved against, ` +
    'then each event with its inclusion proof, and consistency proofs from the sizes in `consistencyWith`. ' +
    'The export is first recorded as a RecordsExported access event (its id in the `x-trec-access-event` header) ' +
    'and is not sent when that cannot be written. `purpose` must be one the deployment allows; `fraud_case` and ' +
    '`supervision_inspection` name an open case in the caller’s region about what is exported. A selection above ' +
    'the deployment’s limit is refused with 400.',
  tags: ['audit'],
  response: {
    200: {
      description: 'The export: a header line, then one line per event with its proof.',
      content: { 'application/x-ndjson': { schema: exportBody } },
    },
  },
})

export function exportRoutes(app: Platform, o: ResolvedAuditOptions): void {
  const config = { auth: { roles: exporters } }
  app.get(
    '/v1/audit/exports/workers/:worker',
    {
      config,
      schema: {
        ...routeSchema('exportWorkerHistory', "A worker's history with proofs", 'a worker’s whole history'),
        params: z.strictObject({ worker: pseudonymSchema }),
        querystring: query,
      },
    },
    async (request, reply) =>
      exportSelection(o, request, reply, request.query, { kind: 'worker', worker: request.params.worker }),
  )
  app.get(
    '/v1/audit/exports/claims/:claim',
    {
      config,
      schema: {
        ...routeSchema(
          'exportClaimTrace',
          "A claim's trace with its evidence and proofs",
          'a claim’s events and the evidence they cite',
        ),
        params: z.strictObject({ claim: entityIdSchema }),
        querystring: query,
      },
    },
    async (request, reply) =>
      exportSelection(o, request, reply, request.query, { kind: 'claim', claim: request.params.claim }),
  )
  app.get(
    '/v1/audit/exports/classes/:class',
    {
      config,
      schema: {
        ...routeSchema('exportClassRecord', "A class's record with proofs", 'a class’s events'),
        params: z.strictObject({ class: entityIdSchema }),
        querystring: query,
      },
    },
    async (request, reply) =>
      exportSelection(o, request, reply, request.query, { kind: 'class', class: request.params.class }),
  )
  app.get(
    '/v1/audit/exports/regions/:region',
    {
      config,
      schema: {
        ...routeSchema(
          'exportRegionEvents',
          'The events of a region (行政区划代码 prefix) that happened in a period, with proofs',
          'the events of a 行政区划代码 prefix that happened in [`from`, `to`)',
        ),
        params: z.strictObject({
          region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 2-, 4- or 6-digit 行政区划代码 prefix'),
        }),
        querystring: periodQuery,
      },
    },
    async (request, reply) => {
      const { from, to, ...rest } = request.query
      const period = { from: new Date(from).toISOString(), to: new Date(to).toISOString() }
      if (period.from >= period.to)
        throw new TrecError('TREC_VALIDATION', 'The period is empty.', {
          issues: [{ path: ['querystring', 'to'], code: 'too_small', message: 'to must be after from' }],
        })
      return exportSelection(o, request, reply, rest, {
        kind: 'region',
        region: request.params.region,
        ...period,
      })
    },
  )
}

async function exportSelection(
  o: ResolvedAuditOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  q: ExportQuery,
  selection: Selection,
) {
  const caller = principal(request)
  const issues: Issue[] = []
  if (!o.exportPurposes.includes(q.purpose))
    issues.push({
      path: ['querystring', 'purpose'],
      code: 'not_allowed',
      message: `one of ${o.exportPurposes.join(', ')}`,
    })
  if ((q.purpose === 'fraud_case' || q.purpose === 'supervision_inspection') && q.case === undefined)
    issues.push({
      path: ['querystring', 'case'],
      code: 'required',
      message: `a ${q.purpose} export names its case`,
    })
  if (issues.length > 0)
    throw new TrecError('TREC_VALIDATION', 'The export request is incomplete.', { issues })
  // A case-bound export cites an open oversight case in the caller's region, about the worker,
  // claim or class exported; a region export stays inside the caller's region. An audit export's
  // `case` is the audit engagement's own reference, which this record does not hold.
  if (q.case !== undefined && (q.purpose === 'fraud_case' || q.purpose === 'supervision_inspection'))
    await assertCitedCase(o.store, q.case, {
      inScope: (r) => inRegionScope(caller, r),
      ...(selection.kind === 'region' ? {} : { about: citedFor(selection) }),
    })
  if (selection.kind === 'region') assertRegion(caller, selection.region)
  const checkpoint = await findCheckpoint(o, q.size)
  const others = q.consistencyWith?.split(',').map(Number) ?? []
  for (const size of others) await assertTreeHas(o, 'consistencyWith', size)
  const leaves = await selectLeaves(o.log, o.store, selection, checkpoint.size)
  if (leaves.length > o.maxExportEvents)
    throw new TrecError('TREC_VALIDATION', 'The selection is too large for one export.', {
      issues: [
        {
          path: ['querystring'],
          code: 'too_big',
          message: `${leaves.length} events, at most ${o.maxExportEvents}: narrow it`,
        },
      ],
    })
  const now = o.clock()
  const event = toEventToAppend(
    {
      type: 'RecordsExported',
      data: {
        log: selection.kind === 'worker' ? selection.worker : 'audit',
        selection,
        purpose: q.purpose,
        ...(q.case === undefined ? {} : { caseRef: q.case }),
        checkpointSize: checkpoint.size,
        events: leaves.length,
        leafIndexDigest: leafIndexDigest(leaves),
        client: caller.clientId,
        requestId: request.id,
      },
    },
    {
      occurredAt: now.toISOString(),
      actor: actorOf(caller),
      source: 'trec.audit',
      region: o.region,
    },
  )
  const stream = streamFor({ type: 'RecordsExported', data: event.data as never })
  await o.store.append(stream, [event])
  const header = await exportHeader(
    o.log,
    checkpoint,
    selection,
    leaves,
    others,
    { eventId: event.id, stream },
    now,
  )
  const name = `trec-${selection.kind}-export-${checkpoint.size}.ndjson`
  reply
    .type('application/x-ndjson')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('x-trec-access-event', event.id)
  return reply.send(Readable.from(exportLines(o.log, o.store, header, leaves)))
}

/** What a worker, claim or class export is about, for its cited case. */
const citedFor = (s: Exclude<Selection, { kind: 'region' }>): CitedFor =>
  s.kind === 'worker'
    ? { kind: 'worker', id: s.worker }
    : s.kind === 'claim'
      ? { kind: 'claim', id: s.claim }
      : { kind: 'class', id: s.class }
