import {
  classOpeningApplied,
  entityIdSchema,
  instantSchema,
  noteSchema,
  teacherSchema,
} from '@trec/contracts'
import { z } from 'zod'

// The 开班申请 as an institution sends it, and the class as the read endpoint shows it.

const applied = classOpeningApplied.appendSchema.shape

const sessionBody = z
  .strictObject({
    /** The institution's id for the session; `ses-01`, `ses-02`… in the order given when absent. */
    session: entityIdSchema.optional(),
    start: instantSchema,
    end: instantSchema,
    venue: z.string().min(1).max(200),
    /** Offline or online; by default the class's mode (required in a blended class). */
    mode: z.enum(['offline', 'online']).optional(),
  })
  .refine((s) => Date.parse(s.end) > Date.parse(s.start), {
    message: 'end must be after start',
    path: ['end'],
  })

export const applicationBody = z
  .strictObject({
    institution: entityIdSchema,
    programme: entityIdSchema,
    mode: applied.mode,
    route: applied.route.default('designated_institution'),
    plannedHours: applied.plannedHours,
    capacity: applied.capacity,
    sessions: z.array(sessionBody).min(1).max(2000),
    teachers: z
      .array(z.strictObject({ teacher: entityIdSchema, role: teacherSchema.shape.role.default('both') }))
      .min(1)
      .max(200),
    /**
     * 企业新型学徒制: the college, technical school or training institution that trains the
     * apprentices with the enterprise (the class's other training base).
     */
    jointBase: entityIdSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.jointBase !== undefined && body.jointBase === body.institution)
      ctx.addIssue({
        code: 'custom',
        path: ['jointBase'],
        message: 'the other training base is another institution than the class’s own',
      })
    const ids = body.sessions.map((s, i) => s.session ?? sessionId(i))
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['sessions', i, 'session'],
          message: `session id ${id} is repeated`,
        })
    })
    body.sessions.forEach((s, i) => {
      if (body.mode === 'blended' && s.mode === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['sessions', i, 'mode'],
          message: 'a blended class states each session’s mode',
        })
    })
    const teachers = body.teachers.map((t) => t.teacher)
    teachers.forEach((t, i) => {
      if (teachers.indexOf(t) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['teachers', i, 'teacher'],
          message: `teacher ${t} is repeated`,
        })
    })
  })
  .meta({ id: 'ApplyForClassRequest' })

export const sessionId = (index: number) => `ses-${String(index + 1).padStart(2, '0')}`

export const reviewBody = z
  .strictObject({
    outcome: z.enum(['passed', 'rejected']),
    reasons: z.array(noteSchema).max(50).default([]),
  })
  .meta({ id: 'ReviewClassRequest' })

/** Opening takes no fields; the body may be left out. */
export const openingBody = z.strictObject({}).meta({ id: 'OpenClassRequest' })

export const closingBody = z
  .strictObject({
    reason: z.enum(['completed', 'cancelled', 'stopped_by_authority']),
    note: noteSchema.optional(),
  })
  .meta({ id: 'CloseClassRequest' })

export const classView = z
  .object({
    class: z.string(),
    institution: z.string(),
    region: z.string(),
    programme: z.string(),
    status: z.enum(['applied', 'rejected', 'approved', 'opened', 'closed']),
    mode: z.string(),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    plannedHours: z.number(),
    capacity: z.int(),
    sessions: z.array(
      z.object({
        session: z.string(),
        start: z.string(),
        end: z.string(),
        venue: z.string(),
        mode: z.string(),
      }),
    ),
    teachers: z.array(z.object({ teacher: z.string(), role: z.string() })),
    /** Pseudonyms of the enrolled workers, in enrolment order. */
    roster: z.array(z.string()),
    /** 企业新型学徒制: the school that is the class's other training base, when it names one. */
    jointBase: z.string().optional(),
    review: z.object({ outcome: z.string(), reasons: z.array(z.string()) }).optional(),
    closing: z.object({ reason: z.string(), note: z.string().optional() }).optional(),
    revision: z.int(),
  })
  .meta({
    id: 'Class',
    description: 'A class: status, schedule, teachers and roster (pseudonyms), with its stream’s revision.',
    example: {
      class: 'cls-01936f4e',
      institution: 'inst-130102-0001',
      region: '130102',
      programme: 'prog-01936f4e',
      status: 'opened',
      mode: 'offline',
      plannedStart: '2021-04-06T08:30:00+08:00',
      plannedEnd: '2021-04-07T17:30:00+08:00',
      plannedHours: 16,
      capacity: 40,
      sessions: [
        {
          session: 'ses-01',
          start: '2021-04-06T08:30:00+08:00',
          end: '2021-04-06T17:30:00+08:00',
          venue: '长安区建设北大街 12 号 3 楼',
          mode: 'offline',
        },
      ],
      teachers: [{ teacher: 'tch-0001', role: 'lead' }],
      roster: ['wkr_5f3c9a0e1b2d4c6e8f7a9b0c1d2e3f4a'],
      review: { outcome: 'passed', reasons: [] },
      revision: 4,
    },
  })
