import { handleCommand } from '@trec/command'
import { TrecError } from '@trec/core'
import { assertInstitution, assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { classDecider } from '../domain/class.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { catalogueFactsFor, existingClass, loadInstitution, streamOf } from '../streams.ts'
import { closingBody, openingBody, reviewBody } from './class-schemas.ts'
import { appended, classParams } from './schemas.ts'

// 培训前审核 (D3) by a subsidy officer of the class's region, or by a third-party reviewer working
// for the authority (D0 「政府购买服务」); 开班 by the institution; closing by the institution
// (completed, cancelled) or by the authority (stopped).

const forbidden = (reason: string) => new TrecError('TREC_FORBIDDEN', reason, { details: { reason } })

export function classLifecycleRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/classes/:class/review',
    {
      config: { auth: { roles: ['subsidy_officer', 'reviewer'] } },
      schema: {
        summary: 'Decide the pre-training review (培训前审核)',
        operationId: 'reviewClass',
        description:
          'A subsidy officer of the class’s region, or a third-party reviewer working for the authority, passes or rejects the pre-training review (培训前审核) with reasons.',
        tags: ['training'],
        params: classParams,
        body: reviewBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const loaded = await existingClass(ctx.store, request.params.class)
      const { class: id, region } = loaded.state.application!
      assertRegion(caller, region)
      const reviewer = {
        kind: caller.role === 'reviewer' ? 'third_party' : 'authority',
        id: caller.subject,
      } as const
      const { ids, append } = await handleCommand(ctx.store, classDecider, {
        stream: streamOf.class(id),
        command: { kind: 'review', data: { class: id, ...request.body, reviewer } },
        meta: metaFor(caller, region, ctx.now(), loaded.correlationId),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/classes/:class/opening',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Open a class whose review passed (开班)',
        operationId: 'openClass',
        description:
          'The institution’s staff open a class whose review passed (开班); attendance and enrolment run against an opened class.',
        tags: ['training'],
        params: classParams,
        body: openingBody.optional(),
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const loaded = await existingClass(ctx.store, request.params.class)
      const { class: id, region, institution } = loaded.state.application!
      assertInstitution(caller, institution)
      const institutionState = (await loadInstitution(ctx.store, institution)).state
      const { programme, plannedStart } = loaded.state.application!
      const { facts } = await catalogueFactsFor(ctx.store, region, programme, institution, plannedStart)
      const now = ctx.now()
      const { ids, append } = await handleCommand(ctx.store, classDecider, {
        stream: streamOf.class(id),
        command: { kind: 'open', institutionState, catalogue: facts, now: now.toISOString() },
        meta: metaFor(caller, region, now, loaded.correlationId),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )

  app.post(
    '/v1/classes/:class/closing',
    {
      config: { auth: { roles: ['institution_staff', 'subsidy_officer'] } },
      schema: {
        summary: 'Close a class: completed or cancelled by the institution, stopped by the authority',
        operationId: 'closeClass',
        description:
          'The institution closes a class as completed or cancelled; a subsidy officer of its region may stop it (stopped_by_authority).',
        tags: ['training'],
        params: classParams,
        body: closingBody,
        response: { 201: appended },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const loaded = await existingClass(ctx.store, request.params.class)
      const { class: id, region, institution } = loaded.state.application!
      assertInstitution(caller, institution)
      assertRegion(caller, region)
      const byAuthority = request.body.reason === 'stopped_by_authority'
      if (caller.role === 'institution_staff' && byAuthority)
        throw forbidden('only the authority stops a class')
      if (caller.role === 'subsidy_officer' && !byAuthority)
        throw forbidden('the authority stops a class; completing or cancelling it is for the institution')
      const now = ctx.now()
      const { ids, append } = await handleCommand(ctx.store, classDecider, {
        stream: streamOf.class(id),
        command: { kind: 'close', ...request.body, now: now.toISOString() },
        meta: metaFor(caller, region, now, loaded.correlationId),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids, revision: append.revision })
    },
  )
}
