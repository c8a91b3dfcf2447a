import { appendedBefore } from '@trec/command'
import {
  type AppendMetadata,
  commandAnswerSchema,
  type DomainEventToAppend,
  dateSchema,
  employmentOutcomes,
  employmentSources,
  entityIdSchema,
  instantSchema,
  populationGroups,
  pseudonymSchema,
  regionCodeSchema,
  streamFor,
  toEventToAppend,
} from '@trec/contracts'
import {
  actorOf,
  assertRegion,
  commandEventIds,
  type Platform,
  type Principal,
  principal,
} from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'

// The facts 就业创业成功率 and the plan's groups need, from other departments' systems (就业登记,
// 参保, 工商登记; 教育, 退役军人, 乡村振兴, 残联, 民政: docs/domain.md §5.1), entered by a subsidy officer of
// the region or by the exchange acting as one. A worker is named by pseudonym or, when the source
// only knows the person, by card number, which becomes the pseudonym during validation.

const source = 'trec.compliance'

const identity = { worker: pseudonymSchema.optional(), cardNumber: cardNumberSchema.optional() }

/** Exactly one of `worker` (pseudonym) and `cardNumber`. */
const oneWorker = {
  check: (b: { worker?: string | undefined; cardNumber?: string | undefined }) =>
    (b.worker === undefined) !== (b.cardNumber === undefined),
  params: {
    message: 'name the worker by pseudonym (worker) or by card number (cardNumber), one of them',
    path: ['worker'],
  },
}

/** Replaces the card number by its pseudonym: the output has only `worker`. */
function toWorker<T extends { worker?: string | undefined; cardNumber?: string | undefined }>(
  pseudonym: (card: string) => string,
) {
  return ({ cardNumber, worker, ...rest }: T) => ({ ...rest, worker: worker ?? pseudonym(cardNumber!) })
}

export const answer = commandAnswerSchema

const outcomeBody = z
  .strictObject({
    ...identity,
    region: regionCodeSchema,
    class: entityIdSchema.optional(),
    outcome: z.enum(employmentOutcomes),
    source: z.enum(employmentSources),
    sourceRef: z.string().min(1).max(128),
    observedAt: instantSchema,
    /** The institution or enterprise employing the worker, when the source names it (以工代训). */
    employer: entityIdSchema.optional(),
  })
  .refine(oneWorker.check, oneWorker.params)
  .meta({ id: 'EmploymentOutcomeRequest' })

const groupBody = z
  .strictObject({
    ...identity,
    region: regionCodeSchema,
    group: z.enum(populationGroups),
    source: z.strictObject({ system: entityIdSchema, ref: z.string().min(1).max(128) }),
    validFrom: dateSchema,
    validTo: dateSchema.optional(),
  })
  .refine(oneWorker.check, oneWorker.params)
  .meta({ id: 'WorkerGroupRequest' })

export function meta(p: Principal, region: string, at: string, id: string): AppendMetadata {
  return {
    id,
    occurredAt: at,
    actor: actorOf(p),
    source,
    region,
  }
}

/** Appends one event; a resumed retry whose first attempt stored it answers from that instead. */
export async function append(
  options: ResolvedOptions,
  event: DomainEventToAppend,
  m: AppendMetadata,
  resumed = false,
) {
  const id = m.id
  const [prior] = (resumed && id !== undefined && (await appendedBefore(options.store, () => id))) || []
  if (prior) return { ids: [prior.id], revision: prior.revision }
  const stored = toEventToAppend(event, m)
  const result = await options.store.append(streamFor(event), [stored])
  return { ids: [stored.id], revision: result.revision }
}

/**
 * POST /v1/employment/outcomes and POST /v1/employment/groups (subsidy_officer, in the region
 * named): append EmploymentOutcomeObserved and WorkerGroupAttested to `employment-{worker}`.
 */
export function employmentRoutes(app: Platform, options: ResolvedOptions): void {
  const pseudonym = (card: string) => options.pseudonymizer.pseudonym(card)
  app.post(
    '/v1/employment/outcomes',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['employment'],
        summary: 'Record a worker’s employment outcome from 就业登记, 参保 or another source',
        operationId: 'recordEmploymentOutcome',
        description:
          'A subsidy officer of the region (or the data exchange acting as one) records an employment or self-employment outcome another department’s system observed for a worker, named by pseudonym or by card number (kept only as the pseudonym); it counts toward 就业创业成功率. Answers the events appended.',
        body: outcomeBody.transform(toWorker(pseudonym)),
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { region, ...data } = request.body
      assertRegion(p, region)
      const ids = commandEventIds(request)
      const result = await append(
        options,
        { type: 'EmploymentOutcomeObserved', data },
        meta(p, region, options.clock().toISOString(), ids()),
        ids.resumed,
      )
      return reply.code(201).send(result)
    },
  )
  app.post(
    '/v1/employment/groups',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['employment'],
        summary: 'Record that a department’s system attests a worker’s population group for a period',
        operationId: 'attestWorkerGroup',
        description:
          'A subsidy officer of the region (or the data exchange acting as one) records that a department’s system attests a worker’s population group (e.g. 失业人员, 农民工) from a day, until a day or open-ended; the worker is named by pseudonym or by card number (kept only as the pseudonym). Rule sets that limit a subsidy to groups, and the plan’s group figures, are judged on it. Answers the events appended.',
        body: groupBody.transform(toWorker(pseudonym)),
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { region, ...data } = request.body
      assertRegion(p, region)
      const ids = commandEventIds(request)
      const result = await append(
        options,
        { type: 'WorkerGroupAttested', data },
        meta(p, region, options.clock().toISOString(), ids()),
        ids.resumed,
      )
      return reply.code(201).send(result)
    },
  )
}
