import { type Decider, reject } from '@trec/command'
import {
  effectiveVersions,
  emptyRulebook,
  evolveRulebook,
  type RulebookEvent,
  type RulebookState,
  underPrefix,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { RuleSet } from './rule-set.ts'

// The rule sets of one province-level division (`rulebook-{province}`): published by an officer
// of the region a set governs, amended as a new version in force from a date, withdrawn from a
// date. Decisions pin the `{ id, version }` they applied, so no command here rewrites the past:
// an amendment or a withdrawal takes effect today or later, and two sets of one region never
// apply to the same subsidy kind on the same day (409 naming the other).

export type { RulebookEvent, RulebookState }
export { effectiveVersions }

export type Draft = Omit<RuleSet, 'version'>

export type RulebookCommand =
  | { kind: 'publish'; province: string; draft: Draft }
  | { kind: 'amend'; province: string; id: string; draft: Draft; reason: string; today: string }
  | { kind: 'withdraw'; province: string; id: string; effectiveFrom: string; reason: string; today: string }

export const provinceOf = (region: string): string => region.slice(0, 2)

export const rulebookStream = (province: string): string => `rulebook-${province}`

const kindsOf = (set: Pick<RuleSet, 'kinds'>): string[] =>
  Object.entries(set.kinds)
    .filter(([, rule]) => rule !== undefined)
    .map(([kind]) => kind)

const overlaps = (a: Pick<RuleSet, 'validFrom' | 'validTo'>, b: Pick<RuleSet, 'validFrom' | 'validTo'>) =>
  (a.validTo === undefined || a.validTo >= b.validFrom) &&
  (b.validTo === undefined || b.validTo >= a.validFrom)

/** The first version of another set of the same region that applies to a kind of `draft` on a day it covers. */
function checkOverlap(state: RulebookState, draft: Draft): void {
  const mine = kindsOf(draft)
  for (const other of effectiveVersions(state)) {
    if (other.id === draft.id || other.region !== draft.region || !overlaps(other, draft)) continue
    if (other.validTo !== undefined && other.validTo < other.validFrom) continue
    const theirs = kindsOf(other)
    // A set with no kinds (an advance share alone) still governs the region: it clashes with another such set.
    const shared = mine.length + theirs.length === 0 ? [] : mine.filter((k) => theirs.includes(k))
    if (shared.length === 0 && (mine.length > 0 || theirs.length > 0)) continue
    throw new TrecError(
      'TREC_RULE_SET_CONFLICT',
      `rule set ${other.id} version ${other.version} already governs region ${other.region} from ${other.validFrom} to ${other.validTo ?? 'open'}${shared.length > 0 ? ` for ${shared.join(', ')}` : ''}`,
      {
        details: {
          reason: 'overlap',
          other: {
            id: other.id,
            version: other.version,
            validFrom: other.validFrom,
            validTo: other.validTo ?? null,
          },
          kinds: shared,
        },
      },
    )
  }
}

function latest(state: RulebookState, id: string): RuleSet | undefined {
  return state.versions.filter((v) => v.id === id).at(-1)
}

function notFound(id: string): TrecError {
  return new TrecError('TREC_NOT_FOUND', `no rule set ${id} in this province`, { details: { ruleSet: id } })
}

function inProvince(province: string, region: string): void {
  if (!underPrefix(region, province))
    reject({
      rule: 'rule-set-region',
      message: `region ${region} is not in province ${province}`,
      details: { region, province },
    })
}

function publish(state: RulebookState, cmd: Extract<RulebookCommand, { kind: 'publish' }>): RulebookEvent[] {
  inProvince(cmd.province, cmd.draft.region)
  const existing = latest(state, cmd.draft.id)
  if (existing)
    throw new TrecError('TREC_RULE_SET_CONFLICT', `rule set ${cmd.draft.id} is already published; amend it`, {
      details: { reason: 'exists', other: { id: existing.id, version: existing.version }, kinds: [] },
    })
  checkOverlap(state, cmd.draft)
  return [
    {
      type: 'SubsidyRuleSetPublished',
      data: { province: cmd.province, ruleSet: { ...cmd.draft, version: 1 } },
    },
  ]
}

function amend(state: RulebookState, cmd: Extract<RulebookCommand, { kind: 'amend' }>): RulebookEvent[] {
  const current = latest(state, cmd.id)
  if (!current) throw notFound(cmd.id)
  const violations = []
  if (state.withdrawn[cmd.id] !== undefined)
    violations.push({
      rule: 'rule-set-withdrawn',
      message: `rule set ${cmd.id} was withdrawn from ${state.withdrawn[cmd.id]}`,
      details: { effectiveFrom: state.withdrawn[cmd.id] },
    })
  if (cmd.draft.id !== cmd.id)
    violations.push({
      rule: 'rule-set-id',
      message: 'an amendment keeps the set’s id',
      details: { id: cmd.id },
    })
  if (cmd.draft.region !== current.region)
    violations.push({
      rule: 'rule-set-region',
      message: 'an amendment keeps the set’s region',
      details: { region: current.region },
    })
  if (cmd.draft.validFrom <= current.validFrom || cmd.draft.validFrom < cmd.today)
    violations.push({
      rule: 'amendment-effective-date',
      message: `an amendment takes effect after version ${current.version} began (${current.validFrom}) and not before today (${cmd.today}): decisions already made keep the version they cited`,
      details: { validFrom: cmd.draft.validFrom, currentFrom: current.validFrom, today: cmd.today },
    })
  if (violations.length > 0) reject(...violations)
  checkOverlap(state, cmd.draft)
  return [
    {
      type: 'SubsidyRuleSetAmended',
      data: {
        province: cmd.province,
        ruleSet: { ...cmd.draft, version: current.version + 1 },
        reason: cmd.reason,
      },
    },
  ]
}

function withdraw(
  state: RulebookState,
  cmd: Extract<RulebookCommand, { kind: 'withdraw' }>,
): RulebookEvent[] {
  if (!latest(state, cmd.id)) throw notFound(cmd.id)
  const already = state.withdrawn[cmd.id]
  if (already !== undefined)
    reject({
      rule: 'rule-set-withdrawn',
      message: `rule set ${cmd.id} was withdrawn from ${already}`,
      details: { effectiveFrom: already },
    })
  if (cmd.effectiveFrom < cmd.today)
    reject({
      rule: 'withdrawal-effective-date',
      message: `a withdrawal takes effect today (${cmd.today}) or later: decisions already made keep the version they cited`,
      details: { effectiveFrom: cmd.effectiveFrom, today: cmd.today },
    })
  const { province, id, effectiveFrom, reason } = cmd
  return [{ type: 'SubsidyRuleSetWithdrawn', data: { province, id, effectiveFrom, reason } }]
}

export const rulebookDecider: Decider<RulebookState, RulebookCommand, RulebookEvent> = {
  initialState: emptyRulebook,
  evolve: evolveRulebook,
  decide(command, state) {
    switch (command.kind) {
      case 'publish':
        return publish(state, command)
      case 'amend':
        return amend(state, command)
      case 'withdraw':
        return withdraw(state, command)
    }
  },
}
