import { assertCitedCase } from '@trec/command'
import { caseIdSchema, entityIdSchema, toEventToAppend } from '@trec/contracts'
import { type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { claimRow, traceClaim } from '../trace/claim-trace.ts'
import { actorOf, assertScope, inScope, notFound, source } from './common.ts'
import { claimTraceSchema } from './trace-answer.ts'

const traceQuery = z.strictObject({
  /**
   * The case the read is for: open, in the token's region, and about the claim (the claim or its
   * worker a subject, or evidence of the claim linked). Without one the read is break-glass
   * access: answered, but logged with the `no_case_ref` flag for review, and R13 raises an alert
   * on it.
   */
  case: caseIdSchema.optional(),
})

/**
 * GET /v1/oversight/claims/:claim/trace (investigator). Reading a claim's trace reads a
 * person's record, so it is logged first (`RecordAccessed` in `access-{worker}`: who, when,
 * for which case, which request; docs/architecture.md "Every read … is itself recorded"); if the log
 * cannot be written, nothing is answered. A cited case is checked as for every break-glass read
 * (`assertCitedCase`): a case that does not exist, is closed, lies in another region or does not
 * concern the claim is refused 403 with the reason, before anything is read or logged.
 */
export function traceRoutes(app: Platform, options: ResolvedOptions): void {
  app.get(
    '/v1/oversight/claims/:claim/trace',
    {
      config: { auth: { roles: ['investigator'] } },
      schema: {
        tags: ['oversight'],
        summary:
          "A claim's causal trace: payment, evidence, class, institution, who shares class, device or face",
        operationId: 'traceClaim',
        description:
          'An investigator of the claim’s region reads how a claim came to be paid: its events, each payment with ' +
          'the evidence it cites (and whether that was logged first), the class and institution, who shares the ' +
          'worker’s class, devices, face templates or client fingerprints, and the alerts about them. This reads a ' +
          'person’s record, so it is logged first (RecordAccessed); without `case` it is break-glass, logged with ' +
          'the `no_case_ref` flag. A cited case that is closed, in another region or not about the claim is refused ' +
          'with 403. 404 for a claim not on the record.',
        params: z.strictObject({ claim: entityIdSchema }),
        querystring: traceQuery,
        response: { 200: claimTraceSchema },
      },
    },
    async (request) => {
      const p = principal(request)
      const { readSide } = options
      const row = await claimRow({ db: options.db, registry: readSide.registry }, request.params.claim)
      if (!row) throw notFound('claim')
      assertScope(p, row.region)
      const caseRef = request.query.case
      // Citing a case is what lifts the `no_case_ref` flag, so it must be one that allows this read.
      if (caseRef)
        await assertCitedCase(options.store, caseRef, {
          inScope: (region) => inScope(p, region),
          about: { kind: 'claim', id: row.claim },
        })
      const access = toEventToAppend(
        {
          type: 'RecordAccessed',
          data: {
            worker: row.worker,
            view: 'archive',
            purpose: 'fraud_case',
            ...(caseRef ? { caseRef } : {}),
            client: p.clientId,
            requestId: String(request.id).slice(0, 128),
            found: true,
            flags: caseRef ? [] : ['no_case_ref'],
          },
        },
        {
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source,
          region: row.region,
        },
      )
      await options.store.append(`access-${row.worker}`, [access])
      const trace = await traceClaim(
        { store: options.store, db: options.db, registry: readSide.registry, alerts: readSide.alerts },
        row,
      )
      return { ...trace, access: { event: access.id, caseRef: caseRef ?? null } }
    },
  )
}
