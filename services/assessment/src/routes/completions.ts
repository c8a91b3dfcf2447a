import { handleCommand } from '@trec/command'
import { entityIdSchema, pseudonymSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertInstitution, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { assessmentDecider } from '../domain/decider.ts'
import { attendanceFacts, classFacts, trainingFacts } from '../domain/facts.ts'
import type { ResolvedOptions } from '../options.ts'
import { commandAnswer, metaFor, readEvents } from './context.ts'

// POST /v1/completions: institution staff record a worker's 结业 for a class of their own
// institution. The body names only who and which class: hours, share and the verdict come from
// the record (class schedule, enrolment, identity check, face checks, online trail).

const body = z
  .strictObject({ worker: pseudonymSchema, class: entityIdSchema })
  .meta({ id: 'CompletionRequest' })

export function completionRoutes(app: Platform, o: ResolvedOptions): void {
  app.post(
    '/v1/completions',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Record a completion (结业), its attendance share computed from the record',
        operationId: 'recordCompletion',
        description:
          'Institution staff record that a worker completed a class of their own institution. The body names only the worker and the class: the hours, the attendance share and whether it passes come from the record (schedule, enrolment, identity check, face checks, online trail). 404 for an unknown class. Answers the events appended.',
        tags: ['assessment'],
        body,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { worker, class: classId } = request.body
      const cls = classFacts(classId, await readEvents(o.store, `class-${classId}`))
      if (cls.region === undefined || cls.institution === undefined)
        throw new TrecError('TREC_NOT_FOUND', `no class ${classId}`, { details: { class: classId } })
      assertInstitution(p, cls.institution)
      const [training, attendance] = await Promise.all([
        readEvents(o.store, `training-${worker}`),
        readEvents(o.store, `attendance-${worker}`),
      ])
      const now = o.clock()
      const result = await handleCommand(o.store, assessmentDecider, {
        stream: `assessment-${worker}`,
        command: {
          type: 'CompleteTraining',
          worker,
          class: classId,
          at: now.toISOString(),
          classFacts: cls,
          training: trainingFacts(training, classId),
          attendance: attendanceFacts(attendance, classId),
          policy: o.completionPolicy(cls.region),
        },
        meta: metaFor(p, cls.region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
