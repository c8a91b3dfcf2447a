import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import { localDay } from './time.ts'

// R13 (docs/architecture.md, "Reads are recorded"; docs/fraud-rules.md): internal snooping in the archive. A `RecordAccessed` whose
// purpose needs a case (a fraud case, an inspection) but names none, or names a case or
// sampling run that the oversight record does not hold (opened before the read); and an actor of
// a supervising role reading more than `maxSubjectsPerDay` different people in a day.

interface Reads {
  workers: Record<string, string>
}

const maxKept = 500

export const r13AccessWithoutCase: FraudRule<'R13'> = {
  id: 'R13',
  title: 'Archive reads without a case',
  reads: ['CaseOpened', 'InspectionSampleSelected', 'RecordAccessed'],
  keys: (event) => {
    if (event.type === 'CaseOpened') return [`k:${event.data.case}`]
    if (event.type === 'InspectionSampleSelected') return [`k:${event.data.run}`]
    if (event.type !== 'RecordAccessed') return []
    return [
      ...(event.data.caseRef ? [`k:${event.data.caseRef}`] : []),
      `a:${event.actor.id}|${localDay(event.occurredAt)}`,
    ]
  },
  async step(event, state, params) {
    if (event.type === 'CaseOpened') {
      state.set(`k:${event.data.case}`, 1)
      return []
    }
    if (event.type === 'InspectionSampleSelected') {
      state.set(`k:${event.data.run}`, 1)
      return []
    }
    if (event.type !== 'RecordAccessed') return []
    const d = event.data
    const actor = event.actor
    const day = localDay(event.occurredAt)
    const subject = { kind: 'actor' as const, id: actor.id }
    const drafts: AlertDraft[] = []
    if (params.purposesNeedingCase.includes(d.purpose)) {
      if (d.caseRef === undefined)
        drafts.push({
          subject,
          occurrence: `no-case:${day}`,
          evidence: [],
          summary: `${actor.kind} ${actor.id} read worker ${d.worker}'s ${d.view} for ${d.purpose} without naming a case`,
        })
      else if ((await state.get<number>(`k:${d.caseRef}`)) === undefined)
        drafts.push({
          subject,
          occurrence: `unknown-case:${day}`,
          evidence: [],
          summary: `${actor.kind} ${actor.id} read worker ${d.worker}'s ${d.view} for ${d.purpose} naming ${d.caseRef}, which no case or sampling run in the record has`,
        })
    }
    if (params.volumeActorKinds.includes(actor.kind)) {
      const key = `a:${actor.id}|${day}`
      const reads = (await state.get<Reads>(key)) ?? { workers: {} }
      if (reads.workers[d.worker] === undefined) {
        if (Object.keys(reads.workers).length < maxKept) reads.workers[d.worker] = event.id
        state.set(key, reads)
        const count = Object.keys(reads.workers).length
        if (count > params.maxSubjectsPerDay)
          drafts.push({
            subject,
            occurrence: `volume:${day}`,
            evidence: Object.values(reads.workers),
            summary: `${actor.kind} ${actor.id} read the records of ${count} people on ${day}, above ${params.maxSubjectsPerDay}`,
            measures: { people: count },
          })
      }
    }
    return drafts
  },
}
