import { handleCommand } from '@trec/command'
import { dateSchema, entityIdSchema, noteSchema, regionCodeSchema, ruleSetDraftSchema } from '@trec/contracts'
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
import { commandAnswer, metaFor, now, singleEventId } from './common.ts'

// Officers run the subsidy rules: a set is published, amended as a new version in force from a
// date, and withdrawn, each an event in the province's rulebook stream. What was in force in a
// region on a day is one read of that stream, answered with the events that make it so.

const idParams = z.strictObject({ id: entityIdSchema })

const amendBody = z.strictObject({
  /** Why the standard changes (e.g. the city's notice). */
  reason: noteSchema,
  ruleSet: ruleSetDraftSchema,
})

const withdrawBody = z.strictObject({
  /** The region the set governs (its 行政区划代码 prefix), which names the province's rulebook. */
  region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits'),
  /** The first day no decision is made under the set. */
  effectiveFrom: dateSchema,
  reason: noteSchema,
})

const inForceQuery = z.strictObject({ region: regionCodeSchema, date: dateSchema })

const answer = commandAnswer.extend({ ruleSet: z.object({ id: z.string(), version: z.int() }) })

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
        body: ruleSetDraftSchema,
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
        querystring: inForceQuery,
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
