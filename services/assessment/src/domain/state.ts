import type { DomainEventToAppend, EventData } from '@trec/contracts'

// The state of one worker's `assessment-{worker}` stream: completions, assessment results and
// certificates, folded from its events. Evolve never mutates: it returns a new state.

export type AssessmentEvent = Extract<
  DomainEventToAppend,
  {
    type:
      | 'TrainingCompleted'
      | 'AssessmentResultRecorded'
      | 'CertificateIssued'
      | 'CertificateRevoked'
      | 'CertificateSerialRegistered'
  }
>

export type ResultRecord = Pick<
  EventData<'AssessmentResultRecorded'>,
  'assessment' | 'occupationCode' | 'level' | 'passed' | 'assessedOn'
>

export type CertificateRecord = Omit<EventData<'CertificateIssued'>, 'worker'> & {
  revoked?: EventData<'CertificateRevoked'>['reason']
}

export interface AssessmentState {
  /** Class id → whether the completion passed. */
  completions: ReadonlyMap<string, boolean>
  results: ReadonlyMap<string, ResultRecord>
  certificates: ReadonlyMap<string, CertificateRecord>
}

export function initialState(): AssessmentState {
  return { completions: new Map(), results: new Map(), certificates: new Map() }
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value)
}

export function evolve(state: AssessmentState, event: AssessmentEvent): AssessmentState {
  switch (event.type) {
    case 'TrainingCompleted':
      return { ...state, completions: withEntry(state.completions, event.data.class, event.data.passed) }
    case 'AssessmentResultRecorded': {
      const { assessment, occupationCode, level, passed, assessedOn } = event.data
      const record: ResultRecord = { assessment, occupationCode, level, passed, assessedOn }
      return { ...state, results: withEntry(state.results, assessment, record) }
    }
    case 'CertificateIssued': {
      const { worker: _worker, ...certificate } = event.data
      return { ...state, certificates: withEntry(state.certificates, certificate.certificate, certificate) }
    }
    case 'CertificateRevoked': {
      const held = state.certificates.get(event.data.certificate)
      if (!held) return state
      const revoked = { ...held, revoked: event.data.reason }
      return { ...state, certificates: withEntry(state.certificates, event.data.certificate, revoked) }
    }
    // Lives in the `certificate-{issuerSerial}` stream, never in this one.
    case 'CertificateSerialRegistered':
      return state
  }
}

/** A certificate counts as held on `date` when it is not revoked and not past its validUntil. */
export function isValidOn(certificate: CertificateRecord, date: string): boolean {
  return (
    certificate.revoked === undefined &&
    (certificate.validUntil === undefined || certificate.validUntil >= date)
  )
}
