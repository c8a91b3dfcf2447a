import { decodeRecorded, describeCatalogue } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'

// Break-glass reads (a fraud case, an inspection) name the case they are for. Naming one is not
// enough: the case must exist, be open, lie inside the reader's region, and concern the worker
// whose record is read, either as one of its subjects or through evidence linked to it from the
// worker's own streams. Otherwise the read is refused with the reason, and nothing is logged as
// read (the refusal happens before the record is touched).

/** Categories of the streams keyed by a worker (`assessment-{worker}`, `subsidy-{worker}`, …). */
const workerCategories = [
  ...new Set(
    describeCatalogue()
      .filter((e) => e.key === 'worker' && e.category !== 'access')
      .map((e) => e.category),
  ),
]

const refused = (reason: string, caseRef: string) =>
  new TrecError('TREC_FORBIDDEN', `the cited case cannot be used: ${reason}`, {
    details: { reason: `cited case ${reason}`, case: caseRef },
  })

export interface CitedCaseCheck {
  /** Whether the token reaches a 行政区划代码 (`inRegionScope` of @trec/fastify-kit). */
  inScope(region: string): boolean
  /** The worker whose record is read; the case must concern them. */
  worker?: string
}

/** Throws 403 naming the reason unless `caseRef` is an open case in scope that concerns the worker. */
export async function assertCitedCase(
  store: EventStore,
  caseRef: string,
  check: CitedCaseCheck,
): Promise<void> {
  const events = caseRef.startsWith('case-') ? await store.readStream(`oversight-${caseRef}`) : []
  let region: string | undefined
  let closed = false
  let subject = false
  const evidence = new Set<string>()
  for (const recorded of events) {
    const e = decodeRecorded(recorded)
    if (e.type === 'CaseOpened') {
      region = e.data.region
      subject = e.data.subjects.some((s) => s.kind === 'worker' && s.id === check.worker)
    } else if (e.type === 'CaseEvidenceLinked') for (const id of e.data.evidence) evidence.add(id)
    else if (e.type === 'CaseClosed') closed = true
  }
  if (region === undefined) throw refused('does not exist', caseRef)
  if (closed) throw refused('is closed', caseRef)
  if (!check.inScope(region)) throw refused('is in another region', caseRef)
  if (check.worker === undefined || subject) return
  if (evidence.size > 0)
    for (const category of workerCategories)
      for (const e of await store.readStream(`${category}-${check.worker}`)) if (evidence.has(e.id)) return
  throw refused('does not concern this worker', caseRef)
}
