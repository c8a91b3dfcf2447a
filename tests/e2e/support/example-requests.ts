import type { Role } from '@trec/fastify-kit'
import type { Who } from './client.ts'
import { card, region, session } from './record.ts'

// What the hardening suite sends when it needs a valid request: path values, callers, and one
// valid body per route. A route added to the app without an example here fails that suite, on
// purpose: every body must be probed.

export const institution = 'inst-130100-0042'
export const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'
const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Valid-looking path values that name nothing on the record: a valid request reaches its handler and stops there. */
export const ghost: Record<string, string> = {
  institution: 'inst-130100-9999',
  class: 'cls-ghost',
  voucher: 'vch-ghost',
  region: '130100',
  device: 'dev-ghost',
  claim: `clm-${worker}-9`,
  worker,
  issuer: 'eval-130000-0009',
  serial: 'S0130000099999',
  payment: '0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  alert: 'alert-R1-00000000000000000000000000000000',
  case: 'case-ghost',
  run: 'sampling-ghost',
  id: 'ruleset-ghost',
  size: '999999',
  paymentBatch: 'pb-130100-999',
  recovery: 'rcv-00000000000000000000000000000000',
  line: '1',
  objection: 'obj-ghost',
  // Supervision instruments.
  commitment: 'commitment-ghost',
  // An entry of the effective-dated catalogues (清退, 动态调整).
  entry: 'lst-ghost',
}

/**
 * Routes whose body is not JSON, so the OpenAPI document states no JSON request body and the
 * generated JSON probes skip them: each gets a valid body and invalid ones in its own media type,
 * sent by the suite's own test for them (their auth probes run like every route's).
 */
export const nonJsonBodies: Record<
  string,
  { contentType: string; valid: string; invalid: Record<string, string> }
> = {
  // The finance disbursement file (format in @trec/readmodels disbursement-csv.ts).
  'POST /v1/compliance/reconciliation': {
    contentType: 'text/csv',
    valid: `payment_ref,claim,payee_kind,payee_id,amount_fen\r\nFIN-0001,clm-${worker}-9,worker,${worker},100000\r\n`,
    invalid: {
      'an empty file': '',
      'a header without payment_ref': 'claim,payee_kind,payee_id,amount_fen\r\n',
      'an amount that is not a number': `payment_ref,claim,payee_kind,payee_id,amount_fen\r\nFIN-0001,,worker,${worker},lots\r\n`,
      'an unknown payee kind': `payment_ref,claim,payee_kind,payee_id,amount_fen\r\nFIN-0001,,bank,${worker},100\r\n`,
      'an unclosed quote': `payment_ref,claim,payee_kind,payee_id,amount_fen\r\n"FIN-0001,,worker,${worker},100\r\n`,
    },
  },
}

/** A caller of `role` with every scope claim, so that only what a test varies can refuse it. */
export const caller = (role: Role): Who => ({
  // A worker's token names the worker by pseudonym, as a worker session issues it.
  sub: role === 'worker' ? worker : `${role}-1`,
  role,
  institution,
  region: '13',
  class: 'cls-ghost',
  device: 'dev-ghost',
})

/** A county's rule set as an officer publishes it (valid; the handler may still refuse it). */
export const ruleSetDraft = {
  id: 'ruleset-ghost',
  title: '长安区 职业技能培训补贴',
  region: '130102',
  validFrom: '2027-01-01',
  validTo: '2027-12-31',
  source: 'an example county standard (not from the seeds; set by the region)',
  shortageOccupations: { source: 'none listed', codes: [] },
  kinds: {
    training: {
      source: 'the county’s ceiling',
      payees: ['provider'],
      amount: { basis: 'cap', perPerson: 220_000 },
      requires: { enrolment: true, attendance: true, completion: true, certificate: false },
    },
  },
  practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8, countFaceChecks: true },
}

/** One valid body per route that takes one (valid as the route's schema has it; the handler may still refuse). */
export function exampleBodies(publicKey: object): Record<string, unknown> {
  return {
    'POST /v1/institutions': {
      institution: 'inst-130100-0500',
      legalName: '石家庄市新华区启航职业技能培训学校',
      uscc: '52130100MJ0123456N',
      region,
      kinds: ['private_provider'],
      effectiveFrom: '2021-01-01',
    },
    'POST /v1/institutions/{institution}/delisting': { reason: 'false_training', note: '虚假培训' },
    'POST /v1/institutions/{institution}/suspension': {
      sanction: { case: 'case-130102-0001', decision: '0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5d' },
      from: '2021-06-20',
      to: '2021-07-20',
      note: '暂停补贴性培训资格一个月',
    },
    'POST /v1/programmes': {
      region: '130100',
      occupationCode: '6-29-01-03',
      occupationTitle: '砌筑工',
      level: 4,
      subsidyKind: 'training',
      amount: 200_000,
      shortage: false,
      effectiveFrom: '2021-01-01',
    },
    // The effective-dated catalogues: publish, 动态调整, 清退 (docs/domain.md, "Catalogues").
    'POST /v1/catalogues/institutions': {
      region: '130100',
      institution: 'inst-130100-0042',
      legalName: '石家庄市某职业培训学校',
      effectiveFrom: '2021-01-01',
    },
    'POST /v1/catalogues/evaluation-bodies': {
      region: '130000',
      body: 'eval-130000-0009',
      kind: 'social_evaluation_org',
      name: '某社会培训评价组织',
      effectiveFrom: '2021-01-01',
    },
    'POST /v1/catalogues/shortage-occupations': {
      region: '130100',
      occupationCode: '6-31-01-03',
      occupationTitle: '电工',
      effectiveFrom: '2021-01-01',
    },
    ...catalogueChanges({
      programmes: { amount: 180_000 },
      institutions: { legalName: '石家庄市某职业培训学校（更名）' },
      'evaluation-bodies': { name: '某社会培训评价组织（更名）' },
      'shortage-occupations': { occupationTitle: '电工（高压）' },
    }),
    'POST /v1/classes': {
      institution: 'inst-130100-9999',
      programme: 'prog-ghost',
      mode: 'offline',
      plannedHours: 7,
      capacity: 30,
      sessions: [session('2021-04-06'), session('2021-04-07')],
      teachers: [{ teacher: 'tch-130100-1187', role: 'both' }],
    },
    'POST /v1/classes/{class}/review': { outcome: 'passed', reasons: [] },
    'POST /v1/classes/{class}/opening': {},
    'POST /v1/classes/{class}/closing': { reason: 'completed' },
    'POST /v1/classes/{class}/enrolments': {
      cardNumber: card(321),
      name: '李秀英',
      phone: '13812345678',
      identity: {
        method: 'ssc_platform',
        platform: 'ssc-national',
        platformRef: 'SSCP-0001',
        result: 'passed',
        verifiedAt: '2021-03-01T08:40:00+08:00',
      },
    },
    'POST /v1/vouchers': { cardNumber: card(322), region, value: 100_000 },
    'POST /v1/vouchers/{voucher}/expiry': { cardNumber: card(322) },
    'POST /v1/vouchers/{voucher}/claim': { cardNumber: card(322) },
    'POST /v1/devices': { device: 'dev-fc-0001', class: 'cls-ghost', publicKey },
    'POST /v1/devices/{device}/revocation': { reason: 'lost', note: '设备遗失' },
    'POST /v1/face-check-batches': { jws: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' },
    'POST /v1/online-learning-batches': { jws: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' },
    'POST /v1/card-tap-batches': { jws: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' },
    'POST /v1/online-segments': {
      worker,
      class: 'cls-ghost',
      lesson: 'lesson-01',
      start: '2021-04-06T08:30:00+08:00',
      end: '2021-04-06T09:15:00+08:00',
      playbackRate: 1,
      clientFingerprint: sha,
    },
    'POST /v1/completions': { worker, class: 'cls-ghost' },
    'POST /v1/assessment-results': {
      worker,
      region,
      occupationCode: '6-31-01-03',
      level: 4,
      score: 81,
      passed: true,
      evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
      assessedOn: '2021-03-01',
    },
    'POST /v1/certificates': {
      worker,
      kind: 'skill_level',
      issuer: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
      serial: 'S0130000092130099',
      region,
      occupationCode: '6-31-01-03',
      level: 4,
      issuedOn: '2021-03-01',
    },
    'POST /v1/certificates/{issuer}/{serial}/revocation': { reason: 'assessment_voided' },
    'POST /v1/claims': {
      worker,
      region,
      kind: 'training',
      payee: { kind: 'provider', id: institution },
      amount: 220_000,
      class: 'cls-ghost',
    },
    'POST /v1/rule-sets': ruleSetDraft,
    'POST /v1/rule-sets/{id}/versions': { reason: '区人社局调整补贴标准', ruleSet: ruleSetDraft },
    'POST /v1/rule-sets/{id}/withdrawal': {
      region: '130102',
      effectiveFrom: '2027-01-01',
      reason: '政策到期',
    },
    'POST /v1/claims/{claim}/reviews': { outcome: 'approved' },
    'POST /v1/claims/{claim}/decision': { outcome: 'approved' },
    'POST /v1/claims/{claim}/payment': { paymentRef: 'FIN-0001', fundSource: 'employment_subsidy_fund' },
    'POST /v1/claims/{claim}/clawback': { reason: 'paid_in_error' },
    'POST /v1/claims/{claim}/sanction-review': { outcome: 'continue', note: '培训在暂停前已完成' },
    'POST /v1/claims/{claim}/publication-objections': { reason: '群众来电反映：该学员未实际参训' },
    'POST /v1/claims/{claim}/publication-objections/{objection}/ruling': {
      outcome: 'dismissed',
      note: '经核查，异议不成立',
    },
    'POST /v1/card-accounts': {
      cardNumber: card(324),
      bankAccount: '6217000130000123456',
      bank: 'ICBC',
      source: { system: 'hebei-ssc', ref: 'REG-0001' },
    },
    'POST /v1/payment-batches': { region, claims: [`clm-${worker}-9`] },
    'POST /v1/payment-batches/{paymentBatch}/return': {
      file: 'TRECRET,1,pb-130100-999,RET-0001,2021-06-21\n1,pb-130100-999/1,150000,PAID,BK0001,,\nEND,1,150000,0\n',
    },
    'POST /v1/payment-batches/{paymentBatch}/lines/{line}/cancellation': {
      reason: '社保卡账户已注销，资金留在基金',
    },
    'POST /v1/classes/{class}/advances': { subsidyTotal: 1_000_000, paymentRef: 'FIN-ADV-0001' },
    'POST /v1/claims/{claim}/recoveries': {
      clawback: '0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d',
      dueOn: '2021-09-30',
    },
    'POST /v1/classes/{class}/advance-recoveries': { dueOn: '2021-09-30' },
    'POST /v1/recoveries/{recovery}/repayments': {
      amount: 50,
      bankRef: 'BK-IN-0001',
      receivedOn: '2021-07-01',
    },
    'POST /v1/recoveries/{recovery}/write-off': { reason: 'uncollectable' },
    'POST /v1/workers/{worker}/contribution-history': {
      region,
      months: 27,
      asOf: '2021-03-01',
      enterpriseEmployee: true,
      source: { system: 'hebei-jinbao', ref: 'SI-Q-0001' },
    },
    // Read side. The lookup's caller is a card service (the route's first role), so the purpose is one of its own.
    'POST /v1/archive/lookup': { cardNumber: card(323), purpose: 'card_holder_request' },
    'POST /v1/archive/access-log/lookup': { cardNumber: card(323), purpose: 'card_holder_request' },
    'POST /v1/employment/outcomes': {
      worker,
      region,
      class: 'cls-ghost',
      outcome: 'employed',
      source: 'employment_registration',
      sourceRef: 'JY-0001',
      observedAt: '2021-03-01T08:40:00+08:00',
    },
    // By card number here, so that the bad card numbers are probed on this route too.
    'POST /v1/employment/groups': {
      cardNumber: card(324),
      region,
      group: 'migrant_worker',
      source: { system: 'hebei-rural', ref: 'NMG-0001' },
      validFrom: '2021-01-01',
      validTo: '2021-12-31',
    },
    'POST /v1/plan-targets': {
      region: '1301',
      year: '2021',
      personTimes: 30_000,
      byGroup: { migrant_worker: 12_000 },
      source: 'Not from the seeds; set by the region (石家庄 2021 台账).',
    },
    'POST /v1/oversight/alerts/{alert}/resolution': { resolution: 'dismissed', note: '核查后排除' },
    'POST /v1/me/objections': { entry: { kind: 'training', id: 'cls-ghost' }, reason: '我没有参加这个班' },
    'POST /v1/objections/{objection}/answer': { decision: 'rejected', reason: '经核查，签到记录无误' },
    'POST /v1/oversight/cases': {
      title: '某培训机构虚假培训线索',
      region,
      basis: 'tip_off',
      subjects: [{ kind: 'institution', id: institution }],
      alerts: ['alert-R1-00000000000000000000000000000000'],
    },
    'POST /v1/oversight/cases/{case}/evidence': {
      evidence: ['0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5c'],
      alerts: [],
      note: '签到记录',
    },
    'POST /v1/oversight/cases/{case}/findings': {
      conclusion: 'irregularity',
      findings: '部分学员未到课',
      evidence: ['0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5c'],
    },
    'POST /v1/oversight/cases/{case}/sanctions': {
      target: { kind: 'institution', id: institution },
      sanction: 'warning',
      note: '警示约谈',
    },
    'POST /v1/oversight/cases/{case}/clawback-requests': {
      claim: `clm-${worker}-9`,
      amount: 100_000,
      reason: 'false_training',
      evidence: ['0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5c'],
      note: '追回虚报部分',
    },
    'POST /v1/oversight/cases/{case}/closure': { outcome: 'substantiated', note: '已处理' },
    'POST /v1/oversight/sampling-runs': {
      population: { kind: 'institutions', region, from: '2021-01-01', to: '2021-03-31' },
      size: 1,
      seed: sha,
      inspectors: { pool: ['insp-130100-0001', 'insp-130100-0002'], perTarget: 1 },
    },
    'POST /v1/oversight/institutions/{institution}/grades': {
      period: { from: '2021-01-01', to: '2021-06-30' },
      inputs: {
        completions: 12,
        passRate: 0.75,
        certificationRate: 0.5,
        confirmedFraud: 0,
        sanctionsInForce: 0,
      },
      thresholds: {
        A: { minCompletions: 30, passRate: 0.9, certificationRate: 0.8 },
        C: { passRate: 0.6, certificationRate: 0.4 },
        fraudForD: 2,
      },
      evidence: [],
      note: '上半年诚信等级评定',
    },
    // Supervision instruments (告知承诺, 年度报告和年度检查, 双随机 results).
    'POST /v1/oversight/commitments': {
      institution,
      facts: ['venue', 'teachers'],
      statement: '本机构承诺培训场地、师资符合要求',
      signedBy: { office: '法定代表人', letterRef: '长人社承诺〔2026〕12号' },
      signedOn: '2021-03-01',
      checkDueBy: '2021-06-30',
    },
    'POST /v1/oversight/commitments/{commitment}/check': {
      result: 'breached',
      breachedFacts: ['teachers'],
      findings: '授课教师无相应职业资格证书',
      checkedOn: '2021-06-01',
    },
    'POST /v1/oversight/institutions/{institution}/annual-reports': {
      year: 2020,
      classes: 4,
      trainees: 120,
      completions: 110,
      subsidyReceived: 18_000_000,
      complaints: 0,
    },
    'POST /v1/oversight/institutions/{institution}/annual-inspections': {
      year: 2020,
      result: 'qualified',
      findings: '年度检查合格',
      inspectedOn: '2021-06-01',
    },
    'POST /v1/oversight/sampling-runs/{run}/results': {
      target: institution,
      outcome: 'compliant',
      findings: '未发现问题',
      inspectedOn: '2021-06-01',
    },
  }
}

/** The 动态调整 and 清退 bodies of the four catalogues, by the path segment of each. */
function catalogueChanges(
  changes: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(changes).flatMap(([slug, change]) => [
      [
        `POST /v1/catalogues/${slug}/{entry}/adjustments`,
        { region: '130100', effectiveFrom: '2021-07-01', changes: change, reason: '动态调整' },
      ],
      [
        `POST /v1/catalogues/${slug}/{entry}/withdrawal`,
        { region: '130100', effectiveFrom: '2021-10-01', reason: 'no_longer_needed' },
      ],
    ]),
  )
}
