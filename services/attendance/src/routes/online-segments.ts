import { handleCommand } from '@trec/command'
import { entityIdSchema, instantSchema, pseudonymSchema, sha256HexSchema } from '@trec/contracts'
import {
  actorOf,
  assertClass,
  commandEventIds,
  type Platform,
  type Principal,
  principal,
} from '@trec/fastify-kit'
import { z } from 'zod'
import type { ClassView } from '../domain/class-view.ts'
import { onlineSegmentDecider } from '../domain/online-segment.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { commandAnswer, forbidden, source } from './common.ts'

// POST /v1/online-segments: an online training platform (its staff, or a device registered to
// the class) reports a stretch of a worker's online learning. The platform recorded on the event
// is the caller's institution, never a field the caller chooses.

const body = z
  .strictObject({
    worker: pseudonymSchema,
    class: entityIdSchema,
    lesson: entityIdSchema,
    start: instantSchema,
    end: instantSchema,
    playbackRate: z.number().positive().max(16),
    /** SHA-256 of the client's device and browser traits, never the traits. */
    clientFingerprint: sha256HexSchema,
  })
  .meta({ id: 'OnlineSegmentRequest' })

/** Which institution is recording, and for whom: staff act for their institution, a device for its registrant. */
async function platformOf(p: Principal, classId: string, views: Views): Promise<string> {
  if (p.role === 'institution_staff') {
    if (p.institution === undefined) throw forbidden('a staff token must name its institution')
    return p.institution
  }
  assertClass(p, classId)
  if (p.device === undefined) throw forbidden('a device token must name its device')
  const { view } = await views.devices.get(p.device)
  if (!view.registration || view.registration.class !== classId)
    throw forbidden('the device is not registered to this class', { device: p.device })
  if (view.revoked) throw forbidden('the device is revoked', { device: p.device })
  return view.registration.institution
}

/** A platform may record for a class it runs, or one whose online sessions it hosts (venue = platform id). */
function servesClass(platform: string, view: ClassView): boolean {
  if (view.institution === platform) return true
  for (const s of view.sessions.values()) if (s.mode === 'online' && s.venue === platform) return true
  return false
}

export function onlineSegmentRoutes(app: Platform, options: ResolvedOptions, views: Views): void {
  app.post(
    '/v1/online-segments',
    {
      config: { auth: { roles: ['institution_staff', 'device'] } },
      schema: {
        summary: "Record a segment of a worker's online learning",
        operationId: 'recordOnlineSegment',
        description:
          'The institution’s staff or its learning platform (as a device) record a segment of a worker’s online lesson (start, end, playback rate, a hash of the client’s traits), for the hours an online class counts.',
        tags: ['attendance'],
        body,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const b = request.body
      const platform = await platformOf(p, b.class, views)
      const { view: classView } = await views.classes.get(b.class)
      if (classView.exists && !servesClass(platform, classView))
        throw forbidden('another institution', { platform })
      const { view: platformView } = await views.institutions.get(platform)
      const result = await handleCommand(options.store, onlineSegmentDecider, {
        stream: `attendance-${b.worker}`,
        command: {
          kind: 'RecordOnlineSegment',
          segment: { ...b, platform },
          classView,
          platformView,
          now: options.clock().getTime(),
          maxSkewMs: options.maxSkewMs,
          playbackRate: options.playbackRate,
        },
        // An unknown class has no region; the decider refuses it before metadata is checked.
        meta: { occurredAt: b.end, actor: actorOf(p, platform), source, region: classView.region ?? '' },
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
