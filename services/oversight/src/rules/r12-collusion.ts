import type { Envelope } from '@trec/contracts'
import type { AlertDraft, FraudRule, RuleState } from '../detectors/fraud-rule.ts'
import type { RuleParameters } from './parameters.ts'

// R12 (docs/fraud-rules.md; Dadukou, the audit's rented teachers and pooled accounts): collusion.
// The record is read as a graph whose parties are institutions and workers and whose links are
// what they use: teachers (a class's list), face-check devices, face templates and payee accounts
// (by the account's pseudonym). Honest institutions share none of these: a teacher teaches for
// one provider, a terminal belongs to one class, a face and an account are one person's. So two
// institutions joined by at least `minSharedLinks` distinct links of at least `minKinds` kinds
// form a cluster to investigate; the alert names the pair and cites, for every shared link, the
// event that put it on each side. A face or an account counts between two institutions only when
// it served different workers there: a person retraining elsewhere under their own name is no
// link. Each flagged pair is one alert; it also names the cluster the pair belongs to, every
// institution reachable through pairs flagged so far (a ring of three shows up whole in the alert
// of the pair that closes it). The state is bounded: per link, at most `maxPartiesPerLink`
// institutions and three workers each; per pair, its shared links; per institution, at most 50
// flagged partners.

type LinkKind = RuleParameters<'R12'>['linkKinds'][number]

/** Per institution using a link: the first event, and the workers (at most three) it served. */
interface LinkUse {
  event: string
  workers: string[]
}

interface Link {
  parties: Record<string, LinkUse>
}

/** The shared links of two institutions: `kind:id` → [event on the first's side, on the second's]. */
interface Pair {
  links: Record<string, [string, string]>
}

const maxWorkersPerUse = 3
const personal: ReadonlySet<LinkKind> = new Set(['template', 'account'])

const classKey = (cls: string) => `c:${cls}`
const claimKey = (claim: string) => `k:${claim}`
const linkKey = (kind: LinkKind, id: string) => `l:${kind}:${id}`
const pairKey = (a: string, b: string) => `p:${a}|${b}`
/** The institutions a given one has been flagged with. */
const flaggedKey = (institution: string) => `f:${institution}`
const maxCluster = 50

/**
 * The cluster of flagged pairs `from` belongs to: every institution reachable through pairs
 * flagged so far, in the order found (at most `maxCluster`).
 */
async function clusterOf(state: RuleState, from: string): Promise<string[]> {
  const seen = [from]
  for (let i = 0; i < seen.length && seen.length < maxCluster; i++)
    for (const next of (await state.get<string[]>(flaggedKey(seen[i]!))) ?? [])
      if (!seen.includes(next) && seen.length < maxCluster) seen.push(next)
  return seen
}

async function flag(state: RuleState, a: string, b: string): Promise<string[]> {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const partners = (await state.get<string[]>(flaggedKey(x))) ?? []
    if (!partners.includes(y) && partners.length < maxCluster) state.set(flaggedKey(x), [...partners, y])
  }
  return (await clusterOf(state, a)).sort()
}

/** Whether a link used by `x` and `y` joins them: for a face or an account, through different workers. */
function joins(kind: LinkKind, x: LinkUse, y: LinkUse): boolean {
  if (!personal.has(kind)) return true
  return x.workers.some((a) => y.workers.some((b) => a !== b))
}

async function use(
  state: RuleState,
  params: RuleParameters<'R12'>,
  kind: LinkKind,
  id: string,
  institution: string,
  worker: string | undefined,
  event: string,
): Promise<AlertDraft[]> {
  if (!params.linkKinds.includes(kind)) return []
  const key = linkKey(kind, id)
  const link = (await state.get<Link>(key)) ?? { parties: {} }
  const mine = link.parties[institution]
  if (mine) {
    if (worker === undefined || mine.workers.includes(worker) || mine.workers.length >= maxWorkersPerUse)
      return []
    mine.workers.push(worker)
  } else {
    if (Object.keys(link.parties).length >= params.maxPartiesPerLink) return []
    link.parties[institution] = { event, workers: worker === undefined ? [] : [worker] }
  }
  state.set(key, link)
  const drafts: AlertDraft[] = []
  const here = link.parties[institution]!
  for (const [other, there] of Object.entries(link.parties)) {
    if (other === institution || !joins(kind, here, there)) continue
    const [a, b] = institution < other ? [institution, other] : [other, institution]
    const pKey = pairKey(a, b)
    const pair = (await state.get<Pair>(pKey)) ?? { links: {} }
    const name = `${kind}:${id}`
    if (pair.links[name]) continue
    pair.links[name] = a === institution ? [here.event, there.event] : [there.event, here.event]
    state.set(pKey, pair)
    const names = Object.keys(pair.links)
    const kinds = new Set(names.map((n) => n.slice(0, n.indexOf(':'))))
    if (names.length < params.minSharedLinks || kinds.size < params.minKinds) continue
    const cluster = await flag(state, a, b)
    drafts.push({
      subject: { kind: 'institution', id: a },
      occurrence: `with:${b}`,
      evidence: Object.values(pair.links).flat(),
      summary: `institutions ${a} and ${b} share ${names.length} links of ${kinds.size} kinds: ${names.sort().join(', ')}${cluster.length > 2 ? `; their cluster of flagged pairs so far: ${cluster.join(', ')}` : ''}`,
      measures: { sharedLinks: names.length, kinds: kinds.size, clusterInstitutions: cluster.length },
    })
  }
  return drafts
}

async function institutionOfClass(
  state: RuleState,
  event: Envelope,
  cls: string,
): Promise<string | undefined> {
  return (await state.get<string>(classKey(cls))) ?? event.actor.institution
}

export const r12Collusion: FraudRule<'R12'> = {
  id: 'R12',
  title: 'Institutions sharing teachers, devices, faces or payee accounts',
  reads: ['ClassOpened', 'FaceCheckRecorded', 'SubsidyClaimSubmitted', 'SubsidyPaid'],
  keys: (event) => {
    switch (event.type) {
      case 'ClassOpened':
        return [classKey(event.data.class), ...event.data.teachers.map((t) => linkKey('teacher', t.teacher))]
      case 'FaceCheckRecorded':
        return [
          classKey(event.data.class),
          linkKey('device', event.data.device),
          linkKey('template', event.data.templateHash),
        ]
      case 'SubsidyClaimSubmitted':
        return event.data.class === undefined ? [] : [classKey(event.data.class)]
      case 'SubsidyPaid':
        return [
          claimKey(event.data.claim),
          ...(event.data.account?.pseudonym ? [linkKey('account', event.data.account.pseudonym)] : []),
        ]
      default:
        return []
    }
  },
  async step(event, state, params) {
    switch (event.type) {
      case 'ClassOpened': {
        const d = event.data
        state.set(classKey(d.class), d.institution)
        const drafts: AlertDraft[] = []
        for (const teacher of new Set(d.teachers.map((t) => t.teacher)))
          drafts.push(...(await use(state, params, 'teacher', teacher, d.institution, undefined, event.id)))
        return drafts
      }
      case 'FaceCheckRecorded': {
        const d = event.data
        const institution = await institutionOfClass(state, event, d.class)
        if (institution === undefined) return []
        const drafts = await use(state, params, 'device', d.device, institution, undefined, event.id)
        if (d.result === 'pass')
          drafts.push(
            ...(await use(state, params, 'template', d.templateHash, institution, d.worker, event.id)),
          )
        return drafts
      }
      case 'SubsidyClaimSubmitted': {
        const d = event.data
        const institution = d.class === undefined ? undefined : await state.get<string>(classKey(d.class))
        if (institution !== undefined) state.set(claimKey(d.claim), institution)
        return []
      }
      case 'SubsidyPaid': {
        const d = event.data
        const institution = await state.get<string>(claimKey(d.claim))
        if (!d.account?.pseudonym || institution === undefined) return []
        return use(state, params, 'account', d.account.pseudonym, institution, d.worker, event.id)
      }
      default:
        return []
    }
  },
}
