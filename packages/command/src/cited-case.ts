import { decodeRecorded, describeCatalogue } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'

// Break-glass reads (a fraud case, an inspection) name the case they are for. Naming one is not
// enough: the case must exist, be open, lie inside the reader's region, and concern what is read:
// a worker's record, a claim or a class. A case concerns it when one of its subjects names it (for
// a claim also its worker, for a class also its institution), or when it links as evidence an event
// of its streams (a worker's streams; for a claim the events of that claim in its worker's streams;
// a class's streams). Otherwise the read is refused with the reason, and nothing is logged as read
// (the refusal happens before the record is touched).

const categoriesKeyedBy = (key: string) => [
  ...new Set(
    describeCatalogue()
      .filter((e) => e.key === key && e.category !== 'access')
      .map((e) => e.category),
  ),
]

/** Categories of the streams keyed by a worker (`assessment-{worker}`, `subsidy-{worker}`, …). */
const workerCategories = categoriesKeyedBy('worker')
/** Categories of the streams keyed by a class (`class-{class}`, `training-{class}`, …). */
const classCategories = categoriesKeyedBy('class')

const refused = (reason: string, caseRef: string) =>
  new TrecError('TREC_FORBIDDEN', `the cited case cannot be used: ${reason}`, {
    details: { reason: `cited case ${reason}`, case: caseRef },
  })

/** What a break-glass read is about. Claim ids name their worker: `clm-{worker}-{n}`. */
export type CitedFor = { kind: 'worker' | 'claim' | 'class'; id: string }

export interface CitedCaseCheck {
  /** Whether the token reaches a 行政区划代码 (`inRegionScope` of @trec/fastify-kit). */
  inScope(region: string): boolean
  /** What is read; the case must concern it. Without it only existence, state and region are checked. */
  about?: CitedFor
}

interface Subject {
  kind: string
  id: string
}

/** Throws 403 naming the reason unless `caseRef` is an open case in scope that concerns what is read. */
export async function assertCitedCase(
  store: EventStore,
  caseRef: string,
  check: CitedCaseCheck,
): Promise<void> {
  const events = caseRef.startsWith('case-') ? await store.readStream(`oversight-${caseRef}`) : []
  let region: string | undefined
  let closed = false
  let subjects: Subject[] = []
  const evidence = new Set<string>()
  for (const recorded of events) {
    const e = decodeRecorded(recorded)
    if (e.type === 'CaseOpened') {
      region = e.data.region
      subjects = e.data.subjects
    } else if (e.type === 'CaseEvidenceLinked') for (const id of e.data.evidence) evidence.add(id)
    else if (e.type === 'CaseClosed') closed = true
  }
  if (region === undefined) throw refused('does not exist', caseRef)
  if (closed) throw refused('is closed', caseRef)
  if (!check.inScope(region)) throw refused('is in another region', caseRef)
  if (check.about === undefined || (await concerns(store, check.about, subjects, evidence))) return
  throw refused(`does not concern this ${check.about.kind}`, caseRef)
}

async function concerns(
  store: EventStore,
  about: CitedFor,
  subjects: Subject[],
  evidence: Set<string>,
): Promise<boolean> {
  const names = (kind: string, id: string | undefined) =>
    id !== undefined && subjects.some((s) => s.kind === kind && s.id === id)
  if (names(about.kind, about.id)) return true
  const worker =
    about.kind === 'worker'
      ? about.id
      : about.kind === 'claim'
        ? /^clm-([0-9a-f]{32})-\d+$/.exec(about.id)?.[1]
        : undefined
  if (about.kind === 'claim' && names('worker', worker)) return true
  const streams =
    about.kind === 'class'
      ? classCategories.map((c) => `${c}-${about.id}`)
      : worker === undefined
        ? []
        : workerCategories.map((c) => `${c}-${worker}`)
  // A class is also concerned by a case about the institution that runs it.
  const institutions =
    about.kind === 'class' ? subjects.filter((s) => s.kind === 'institution').map((s) => s.id) : []
  if (evidence.size === 0 && institutions.length === 0) return false
  for (const stream of streams)
    for (const recorded of await store.readStream(stream)) {
      const data = decodeRecorded(recorded).data as { claim?: unknown; institution?: unknown }
      if (institutions.includes(data.institution as string)) return true
      if (evidence.has(recorded.id) && (about.kind !== 'claim' || data.claim === about.id)) return true
    }
  return false
}
