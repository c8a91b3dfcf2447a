import { handleCommand } from '@trec/command'
import {
  dateSchema,
  entityIdSchema,
  noteSchema,
  regionCodeSchema,
  ruleSetDraftSchema,
  ruleSetSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { readRulebook } from '../app/rule-source.ts'
import { ruleSetInForce } from '../domain/rule-set.ts'
import {
  type Draft,
  effectiveVersions,
  provinceOf,
  type RulebookCommand,
  rulebookDecider,
  rulebookStream,
} from '../domain/rulebook.ts'
import type { ResolvedOptions } from '../options.ts'
import { commandAnswer, metaFor, now, ruleSetRef, singleEventId } from './common.ts'

// Officers run the subsidy rules: a set is published, amended as a new version in force from a
// date, and withdrawn, each an event in the province's rulebook stream. What was in force in a
// region on a day is one read of that stream, answered with the events that make it so.

const idParams = z.strictObject({ id: entityIdSchema })

/** A version as an officer sends it; the service numbers it. */
const draft = ruleSetDraftSchema.meta({
  id: 'RuleSetDraft',
  description:
    'A rule set as an officer sends it (the service numbers the version): the region and period it governs, the amounts and evidence each subsidy kind needs, and the practice rules, each section citing its source. Amounts are in fen.',
})

const amendBody = z
  .strictObject({
    /** Why the standard changes (e.g. the city's notice). */
    reason: noteSchema,
    ruleSet: draft,
  })
  .meta({ id: 'AmendRuleSetRequest' })

const withdrawBody = z
  .strictObject({
    /** The region the set governs (its 行政区划代码 prefix), which names the province's rulebook. */
    region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits'),
    /** The first day no decision is made under the set. */
    effectiveFrom: dateSchema,
    reason: noteSchema,
  })
  .meta({ id: 'WithdrawRuleSetRequest' })

const inForceQuery = z.strictObject({ region: regionCodeSchema, date: dateSchema })

const answer = commandAnswer.extend({ ruleSet: ruleSetRef }).meta({
  id: 'RuleSetAnswer',
  description:
    'The events the command appended, the revision of the province’s rulebook, and the set it acted on.',
  example: {
    ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
    revision: 3,
    ruleSet: { id: 'hebei-2026', version: 2 },
  },
})

export const ruleSet = ruleSetSchema.meta({
  id: 'RuleSet',
  description:
    'One version of a subsidy rule set: what a decision citing `{ id, version }` was judged by. Amounts are in fen.',
})

const citedEvent = z
  .object({
    id: z.string(),
    type: z.string(),
    revision: z.int().describe('The event’s revision in the rulebook stream.'),
    position: z.string().describe('The event’s position in the store, as a decimal string.'),
    occurredAt: z.string().nullable(),
    actor: z.unknown().describe('Who recorded it: the role (kind) and ids.'),
  })
  .meta({
    id: 'RulebookEvent',
    description: 'A rulebook event that shows which version is in force.',
    example: {
      id: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
      type: 'SubsidyRuleSetPublished',
      revision: 0,
      position: '1024',
      occurredAt: '2026-01-05T02:00:00.000Z',
      actor: { kind: 'subsidy_officer', id: 'officer-1301-01' },
    },
  })

const exampleRuleSet = {
  id: 'hebei-2026',
  version: 1,
  title: 'Vocational training subsidies, 2026',
  region: '1301',
  validFrom: '2026-01-01',
  source: 'The city’s notice on vocational training subsidies',
  shortageOccupations: { source: 'The city’s list of occupations in short supply', codes: ['6-18'] },
  kinds: {
    training: {
      source: 'The city’s notice, section 2',
      payees: ['worker', 'provider'],
      amount: { basis: 'level', byLevel: { '4': 150000, '5': 100000 } },
      requires: { enrolment: true, attendance: true, completion: true, certificate: true },
    },
  },
  practice: { source: 'National practice', minAttendanceShare: 0.8 },
}

const inForce = z
  .object({
    region: z.string(),
    date: z.string(),
    ruleSet,
    stream: z.string().describe('The province’s rulebook stream.'),
    revision: z.int().describe('The rulebook’s revision the answer was read at.'),
    events: z.array(citedEvent).describe('The events that wrote this version and bound its period.'),
  })
  .meta({
    id: 'RuleSetInForce',
    description:
      'The rule set in force in a region on a day, with the rulebook events that make it so: replaying the stream up to `revision` gives the same answer.',
    example: {
      region: '130102',
      date: '2026-03-02',
      ruleSet: exampleRuleSet,
      stream: 'rulebook-13',
      revision: 4,
      events: [
        {
          id: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
          type: 'SubsidyRuleSetPublished',
          revision: 0,
          position: '1024',
          occurredAt: '2026-01-05T02:00:00.000Z',
          actor: { kind: 'subsidy_officer', id: 'officer-1301-01' },
        },
      ],
    },
  })

/**
 * Runs a rulebook command for an officer of the region the set governs. The body's region names
 * the province's rulebook; an amendment or a withdrawal (`id`) acts on a set that exists, so the
 * token must also reach the region that set governs: an officer of one city may not withdraw
 * another city's set by writing their own region in the body.
 */
async function onRulebook(
  options: ResolvedOptions,
  request: Parameters<typeof principal>[0],
  region: string,
  command: (province: string, today: string) => RulebookCommand,
  id?: string,
) {
  const p = principal(request)
  assertRegion(p, region)
  const province = provinceOf(region)
  if (id !== undefined) {
    const { state } = await readRulebook(options.store, province)
    const governed = state.versions.findLast((v) => v.id === id)?.region
    if (governed !== undefined) assertRegion(p, governed)
  }
  const { at, today } = now(options)
  const result = await handleCommand(options.store, rulebookDecider, {
    stream: rulebookStream(province),
    command: command(province, today),
    meta: metaFor(p, at, region.padEnd(6, '0')),
    nextId: singleEventId(request),
  })
  const [event] = result.events
  const ruleSet =
    event?.type === 'SubsidyRuleSetWithdrawn'
      ? { id: event.data.id, version: 0 }
      : { id: event?.data.ruleSet.id ?? '', version: event?.data.ruleSet.version ?? 0 }
  return { ids: result.ids, revision: result.append.revision, ruleSet }
}

export function ruleSetRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/rule-sets',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary:
          'Publish a subsidy rule set for a region (version 1); 409 if another set governs the same kind then',
        operationId: 'publishRuleSet',
        description:
          'A subsidy officer of the region the set governs publishes it as version 1, in force from its `validFrom`. Refused when another set already governs the same kind in that region then. Answers the events appended and the set’s id and version.',
        body: draft,
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const draft = request.body as Draft
      const result = await onRulebook(options, request, draft.region, (province) => ({
        kind: 'publish',
        province,
        draft,
      }))
      return reply.code(201).send(result)
    },
  )

  app.post(
    '/v1/rule-sets/:id/versions',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Amend a rule set: a new version in force from its validFrom (today or later)',
        operationId: 'amendRuleSet',
        description:
          'A subsidy officer of the region the set governs publishes a new version of it, in force from its `validFrom` (today or later), with the reason. Decisions already made keep the version they cited. Answers the events appended and the new version.',
        params: idParams,
        body: amendBody,
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const { reason, ruleSet } = request.body
      const result = await onRulebook(
        options,
        request,
        ruleSet.region,
        (province, today) => ({
          kind: 'amend',
          province,
          id: request.params.id,
          draft: ruleSet as Draft,
          reason,
          today,
        }),
        request.params.id,
      )
      return reply.code(201).send(result)
    },
  )

  app.post(
    '/v1/rule-sets/:id/withdrawal',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Withdraw a rule set from a date (today or later)',
        operationId: 'withdrawRuleSet',
        description:
          'A subsidy officer of the region the set governs withdraws it: from `effectiveFrom` (today or later) no decision is made under it. Answers the events appended; the answer’s version is 0.',
        params: idParams,
        body: withdrawBody,
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const { region, effectiveFrom, reason } = request.body
      const result = await onRulebook(
        options,
        request,
        region,
        (province, today) => ({
          kind: 'withdraw',
          province,
          id: request.params.id,
          effectiveFrom,
          reason,
          today,
        }),
        request.params.id,
      )
      return reply.code(201).send(result)
    },
  )

  app.get(
    '/v1/rule-sets/in-force',
    {
      config: {
        auth: {
          roles: ['subsidy_officer', 'finance', 'reviewer', 'investigator', 'auditor', 'institution_staff'],
        },
      },
      schema: {
        tags: ['subsidy'],
        summary: 'The rule set in force in a region on a day, with the rulebook events that show it',
        operationId: 'getRuleSetInForce',
        description:
          'Officers, finance, reviewers, investigators, auditors and institution staff read which version of which rule set governed a region on a day, with the rulebook events that wrote it and bound its period. 404 when none was in force.',
        querystring: inForceQuery,
        response: { 200: inForce },
      },
    },
    async (request) => {
      const { region, date } = request.query
      const province = provinceOf(region)
      const { state, events } = await readRulebook(options.store, province)
      const effective = effectiveVersions(state)
      const set = ruleSetInForce(effective, region, date)
      if (!set)
        throw new TrecError('TREC_NOT_FOUND', `no subsidy rule set is in force in ${region} on ${date}`, {
          details: { region, date },
        })
      // The proof: the event that wrote this version, and those that bound its period (the next
      // version, the withdrawal). Replaying the stream up to `revision` gives the same answer.
      const cites = events
        .filter((e) => {
          const d = e.data as { id?: string; ruleSet?: { id: string; version: number } }
          if (e.type === 'SubsidyRuleSetWithdrawn') return d.id === set.id
          return (
            d.ruleSet?.id === set.id &&
            (d.ruleSet.version === set.version || d.ruleSet.version === set.version + 1)
          )
        })
        .map((e) => ({
          id: e.id,
          type: e.type,
          revision: e.revision,
          position: e.position.toString(),
          occurredAt: (e.metadata as { occurredAt?: string }).occurredAt ?? null,
          actor: (e.metadata as { actor?: unknown }).actor ?? null,
        }))
      return {
        region,
        date,
        ruleSet: set,
        stream: rulebookStream(province),
        revision: events.length - 1,
        events: cites,
      }
    },
  )
}
