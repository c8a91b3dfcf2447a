import { handleCommand, reject } from '@trec/command'
import { commandAnswerWith } from '@trec/contracts'
import {
  assertClass,
  assertInstitution,
  assertRegion,
  commandEventIds,
  type Platform,
  principal,
} from '@trec/fastify-kit'
import { findProgramme } from '../domain/catalogue.ts'
import { classDecider, type Session } from '../domain/class.ts'
import { violation } from '../domain/rules.ts'
import { chinaDate } from '../domain/time.ts'
import { metaFor } from '../meta.ts'
import type { TrainingContext } from '../options.ts'
import { catalogueFactsFor, existingClass, loadInstitution, streamOf } from '../streams.ts'
import { applicationBody, classView, sessionId } from './class-schemas.ts'
import { classParams } from './schemas.ts'

// 开班申请 by the staff of a designated institution, and the class as its readers need it: the
// institution's staff, officers of its region, assessors of the region, and the face-check
// devices registered to the class.

const classAnswer = commandAnswerWith(
  'ClassApplicationAnswer',
  'class',
  'cls-01936f4e',
  'The class applied for.',
)

export function classRoutes(app: Platform, ctx: TrainingContext): void {
  app.post(
    '/v1/classes',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Apply to open a class (开班申请)',
        operationId: 'applyForClass',
        description:
          'The staff of a designated institution apply to open a class of a published programme (开班申请): schedule, sessions, teachers and capacity. The class waits for its pre-training review. Answers the class id.',
        tags: ['training'],
        body: applicationBody,
        response: { 201: classAnswer },
      },
    },
    async (request, reply) => {
      const caller = principal(request)
      const body = request.body
      assertInstitution(caller, body.institution)
      const institution = await loadInstitution(ctx.store, body.institution)
      const region = institution.state.designation?.region
      if (region === undefined)
        reject(violation('institution-not-designated', 'the institution was never designated'))
      const nextId = commandEventIds(request)
      // One id names the flow: the class is `cls-<flow>` and every event about it carries the flow as its correlation id.
      const flow = nextId()
      const classId = `cls-${flow}`
      const fallbackMode = body.mode === 'online' ? 'online' : 'offline'
      const sessions: Session[] = body.sessions.map((s, i) => ({
        session: s.session ?? sessionId(i),
        start: s.start,
        end: s.end,
        venue: s.venue,
        mode: s.mode ?? fallbackMode,
      }))
      const now = ctx.now()
      const startDay = sessions.map((s) => chinaDate(s.start)).sort()[0] ?? chinaDate(now)
      const { catalogues, facts } = await catalogueFactsFor(
        ctx.store,
        region,
        body.programme,
        body.institution,
        startDay,
      )
      const { ids, append } = await handleCommand(ctx.store, classDecider, {
        stream: streamOf.class(classId),
        command: {
          kind: 'apply',
          class: classId,
          institution: body.institution,
          institutionState: institution.state,
          programme: body.programme,
          programmeEntry: findProgramme(catalogues, body.programme),
          mode: body.mode,
          route: body.route,
          plannedHours: body.plannedHours,
          capacity: body.capacity,
          sessions,
          teachers: body.teachers,
          jointBase: body.jointBase,
          catalogue: facts,
          now: now.toISOString(),
        },
        meta: metaFor(caller, region, now, flow),
        nextId,
      })
      return reply.code(201).send({ class: classId, ids, revision: append.revision })
    },
  )

  app.get(
    '/v1/classes/:class',
    {
      config: { auth: { roles: ['institution_staff', 'subsidy_officer', 'device', 'assessor'] } },
      schema: {
        summary: 'A class: status, schedule, teachers and roster (pseudonyms)',
        operationId: 'getClass',
        description:
          'The institution’s staff, officers and assessors of its region, and the check-in devices registered to the class read where it stands: status, schedule, teachers, and the roster as pseudonyms.',
        tags: ['training'],
        params: classParams,
        response: { 200: classView },
      },
    },
    async (request) => {
      const caller = principal(request)
      assertClass(caller, request.params.class)
      const { state, revision } = await existingClass(ctx.store, request.params.class)
      const application = state.application!
      assertInstitution(caller, application.institution)
      assertRegion(caller, application.region)
      const {
        class: id,
        institution,
        region,
        programme,
        mode,
        plannedStart,
        plannedEnd,
        plannedHours,
        capacity,
      } = application
      return {
        class: id,
        institution,
        region,
        programme,
        status: state.status as Exclude<typeof state.status, 'none'>,
        mode,
        plannedStart,
        plannedEnd,
        plannedHours,
        capacity,
        sessions: state.opening?.sessions ?? application.sessions ?? [],
        teachers: state.opening?.teachers ?? application.teachers ?? [],
        roster: state.roster,
        ...(application.jointBase === undefined ? {} : { jointBase: application.jointBase }),
        ...(state.review ? { review: { outcome: state.review.outcome, reasons: state.review.reasons } } : {}),
        ...(state.closing ? { closing: state.closing } : {}),
        revision,
      }
    },
  )
}
