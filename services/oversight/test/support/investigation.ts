import { type History, pseudonym } from './history.ts'
import { faceCheck, ruleSet, sessions, templateOf } from './records.ts'

// A small record for the investigator's routes: four institutions (three in 石家庄, one in 保定),
// a class of three in 石家庄 with its face checks, where bob's checks pass on ann's face; ann
// completes, is certified, claims and is paid on the evidence.

export const ann = pseudonym('ann')
export const bob = pseudonym('bob')
export const cai = pseudonym('cai')
const sealed = { sealed: 'A256GCM' as const, kid: 'wk-1', iv: 'aXZpdml2aXZpdml2', ct: 'Y3RjdGN0Y3RjdGN0' }

export function investigationRecord(h: History) {
  const uscc = ['52130100MJ0123456N', '91350100M000100Y43', '52130100MJ0123456N', '91350100M000100Y43']
  const institutions = ['inst-130102-1', 'inst-130102-2', 'inst-130104-3', 'inst-130602-4']
  institutions.forEach((institution, i) => {
    h.add(
      'InstitutionDesignated',
      {
        institution,
        legalName: `学校${i + 1}`,
        uscc: uscc[i]!,
        region: institution.slice(5, 11),
        kinds: ['private_provider'],
        effectiveFrom: '2024-01-01',
      },
      { at: '2024-01-01T09:00:00+08:00', region: institution.slice(5, 11) },
    )
  })
  const schedule = sessions(3)
  h.add(
    'ClassOpeningApplied',
    {
      class: 'cls-a',
      institution: 'inst-130102-1',
      programme: 'prog-1',
      region: '130102',
      mode: 'offline',
      route: 'designated_institution',
      plannedStart: '2024-04-08',
      plannedEnd: '2024-04-10',
      plannedHours: 9,
      capacity: 30,
      sessions: schedule,
      teachers: [{ teacher: 't-1', role: 'both' }],
    },
    { at: '2024-03-20T09:00:00+08:00' },
  )
  h.add(
    'ClassOpened',
    {
      class: 'cls-a',
      institution: 'inst-130102-1',
      sessions: schedule,
      teachers: [{ teacher: 't-1', role: 'both' }],
      roster: [],
    },
    { at: '2024-04-01T09:00:00+08:00' },
  )
  const enrolled = [ann, bob, cai].map((worker) => {
    const verified = h.add('IdentityVerified', {
      worker,
      class: 'cls-a',
      method: 'card_chip',
      platformRef: `ssc-${worker.slice(0, 6)}`,
      result: 'verified',
      verifiedBy: { kind: 'device', id: 'reader-1' },
    })
    const enrolment = h.add('WorkerEnrolled', {
      worker,
      class: 'cls-a',
      institution: 'inst-130102-1',
      name: sealed,
      idNumber: sealed,
    })
    h.add('RosterEntryAdded', { class: 'cls-a', worker })
    return { worker, verified, enrolment }
  })
  const checks = [1, 2, 3].flatMap((d) => [
    faceCheck(h, ann, 'cls-a', `s${d}`, `2024-04-${String(7 + d).padStart(2, '0')}T08:50:00+08:00`),
    faceCheck(h, bob, 'cls-a', `s${d}`, `2024-04-${String(7 + d).padStart(2, '0')}T08:50:20+08:00`, {
      templateHash: templateOf(ann),
    }),
    faceCheck(h, cai, 'cls-a', `s${d}`, `2024-04-${String(7 + d).padStart(2, '0')}T08:50:40+08:00`),
  ])
  const annChecks = checks.filter((c) => c.data.worker === ann)
  const completion = h.add(
    'TrainingCompleted',
    {
      worker: ann,
      class: 'cls-a',
      attendedHours: 9,
      requiredHours: 9,
      attendanceShare: 1,
      minimumAttendanceShare: 0.8,
      passed: true,
      evidence: annChecks.map((c) => c.id),
    },
    { at: '2024-04-11T10:00:00+08:00' },
  )
  const certificate = h.add(
    'CertificateIssued',
    {
      worker: ann,
      certificate: 'cert-ann',
      kind: 'skill_level',
      issuer: { kind: 'social_evaluation_org', id: 'eval-1' },
      serial: 'HB2024000001',
      occupationCode: '6-31-01-03',
      level: 4,
      issuedOn: '2024-04-25',
    },
    { at: '2024-04-25T09:00:00+08:00' },
  )
  const submitted = h.add(
    'SubsidyClaimSubmitted',
    {
      claim: 'clm-ann-1',
      worker: ann,
      region: '130102',
      kind: 'training',
      payee: { kind: 'provider', id: 'inst-130102-1' },
      amount: 150_000,
      class: 'cls-a',
      certificate: 'cert-ann',
      claimedOn: '2024-05-06',
      ruleSet,
      occupationCode: '6-31-01-03',
      level: 4,
    },
    { at: '2024-05-06T10:00:00+08:00' },
  )
  const annEnrolment = enrolled[0]!
  const evidence = [
    annEnrolment.verified.id,
    annEnrolment.enrolment.id,
    ...annChecks.map((c) => c.id),
    completion.id,
    certificate.id,
  ]
  const paid = h.add(
    'SubsidyPaid',
    {
      claim: 'clm-ann-1',
      worker: ann,
      amount: 150_000,
      payee: { kind: 'provider', id: 'inst-130102-1' },
      evidence: [...evidence, '00000000-0000-7000-8000-0000000fffff'],
      ruleSet,
      paymentRef: 'pay-0001',
    },
    { at: '2024-05-14T10:00:00+08:00' },
  )
  return {
    evidence,
    paid,
    submitted,
    missingEvidence: '00000000-0000-7000-8000-0000000fffff',
    templateHash: templateOf(ann),
  }
}
