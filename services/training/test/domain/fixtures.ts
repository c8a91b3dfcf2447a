import type { EventData, SealedValue } from '@trec/contracts'
import type { ClassEvent, ClassState, Session } from '../../src/domain/class.ts'
import { classDecider } from '../../src/domain/class.ts'
import type { InstitutionState } from '../../src/domain/institution.ts'

// A private provider in 石家庄市长安区 (130102) runs an 电工 (6-31-01-03) class at 四级 under the
// city's 2024 catalogue (130100). The clock stands at 2024-04-01 09:00 in Beijing.

export const now = '2024-04-01T01:00:00.000Z'
export const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'

export const designation: EventData<'InstitutionDesignated'> = {
  institution: 'inst-130100-0042',
  legalName: '石家庄市长安区新航职业培训学校',
  uscc: '52130100MJ0123456N',
  region: '130102',
  kinds: ['private_provider'],
  effectiveFrom: '2024-03-01',
}

export const designated: InstitutionState = { designation }

export const delistedFrom = (effectiveFrom: string): InstitutionState => ({
  designation,
  delisting: { institution: designation.institution, reason: 'false_training', effectiveFrom },
})

export const programme: EventData<'ProgrammePublished'> = {
  programme: 'prog-electrician-2024',
  region: '130100',
  occupationCode: '6-31-01-03',
  occupationTitle: '电工',
  level: 4,
  subsidyKind: 'training',
  amount: 250_000,
  shortage: true,
  effectiveFrom: '2024-01-01',
  effectiveTo: '2024-12-31',
}

export function session(id: string, day: string, from = '08:30', to = '11:30'): Session {
  return {
    session: id,
    start: `${day}T${from}:00+08:00`,
    end: `${day}T${to}:00+08:00`,
    venue: '长安区建设北大街88号实训楼301',
    mode: 'offline',
  }
}

export const sessions = [session('ses-01', '2024-04-08'), session('ses-02', '2024-04-09')]
export const teachers: EventData<'ClassOpened'>['teachers'] = [{ teacher: 'tch-130100-1187', role: 'both' }]

export function application(classId = 'cls-1', over: Partial<EventData<'ClassOpeningApplied'>> = {}) {
  return {
    type: 'ClassOpeningApplied' as const,
    data: {
      class: classId,
      institution: designation.institution,
      programme: programme.programme,
      region: designation.region,
      mode: 'offline' as const,
      route: 'designated_institution' as const,
      plannedStart: '2024-04-08',
      plannedEnd: '2024-04-09',
      plannedHours: 6,
      capacity: 2,
      sessions,
      teachers,
      ...over,
    },
  }
}

export const passed = (classId = 'cls-1') => ({
  type: 'PreTrainingReviewDecided' as const,
  data: {
    class: classId,
    outcome: 'passed' as const,
    reviewer: { kind: 'authority' as const, id: 'officer-7' },
    reasons: [],
  },
})

export const opened = (classId = 'cls-1', classSessions = sessions) => ({
  type: 'ClassOpened' as const,
  data: {
    class: classId,
    institution: designation.institution,
    sessions: classSessions,
    teachers,
    roster: [],
  },
})

export const joined = (w: string, classId = 'cls-1') => ({
  type: 'RosterEntryAdded' as const,
  data: { class: classId, worker: w },
})

export const closed = (reason: EventData<'ClassClosed'>['reason'], classId = 'cls-1') => ({
  type: 'ClassClosed' as const,
  data: { class: classId, reason },
})

/** The state a class stream folds to. */
export function classState(...events: ClassEvent[]): ClassState {
  return events.reduce(classDecider.evolve, classDecider.initialState())
}

export function sealedFor(field: string): SealedValue {
  return { sealed: 'A256GCM', kid: worker, iv: 'k3Jq9xVb0aLmP2sT', ct: `Xw8-9nE1_${field}` }
}
