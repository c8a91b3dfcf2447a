// The rules of the assessment context, by stable id. A refusal (422) names the ids of every rule
// it failed; tests name them too. `source` says where a rule comes from: a seed document (D0–D4,
// see docs/domain.md §0), national practice (configurable, never a constant), or an invariant of
// the record itself.

export const rules = {
  // Completion (结业). The word is not in the seeds; completion is implied by 「培训主体完成培训任务后
  // 申领」 (D3) and the KPI 培训合格率 (D2, D3). The chain it closes is 「凡补必进、不进不补」 (D1, D3).
  completionClassOpened: {
    id: 'completion.class-opened',
    source: 'D1 开班申请; D3 培训前审核: only an opened class has a schedule to attend',
  },
  completionEnrolled: {
    id: 'completion.enrolled',
    source: 'D0 培训检索报名; D1/D3 凡补必进: the worker must be on the record for this class',
  },
  completionIdentityVerified: {
    id: 'completion.identity-verified',
    source: 'D0/D4 「实现培训对象实名认证」',
  },
  completionClassEnded: {
    id: 'completion.class-ended',
    source: 'national practice: the class closed, or its last session ended (configurable)',
  },
  completionClassStopped: {
    id: 'completion.class-stopped',
    source: 'record: a class cancelled or stopped by the authority yields no completion',
  },
  completionOnce: { id: 'completion.once', source: 'record: one completion per worker and class' },

  // Assessment results: 「培训结果考核」 (D3) and the evaluation system of 职业资格评价、职业技能等级
  // 认定和专项职业能力考核 (D0, D4).
  assessmentOnce: { id: 'assessment.once', source: 'record: an assessment is recorded once' },
  assessmentClassEnrolment: {
    id: 'assessment.class-enrolment',
    source: 'D3 培训结果考核: an assessment tied to a class needs the worker enrolled in it',
  },
  assessmentNotFuture: { id: 'assessment.not-future', source: 'record: an assessment cannot lie ahead' },
  assessmentBodyListed: {
    id: 'assessment.evaluation-body-listed',
    source:
      'national practice (rule set listedEvaluationBodiesOnly, not in seeds): the evaluation body is in force in the 评价机构目录 of the region on the day assessed',
  },

  // Certificates: the five kinds of D3 (二十六).
  certificateAssessmentPassed: {
    id: 'certificate.assessment-passed',
    source: 'D0/D4 evaluation system; which kinds need a result here is rule data (national practice)',
  },
  certificateSerialUnique: {
    id: 'certificate.serial-unique',
    source: 'record: a 证书编号 names one certificate of its issuer',
  },
  certificateNoDuplicate: {
    id: 'certificate.no-duplicate-valid',
    source: 'national practice: one valid certificate per kind, occupation and level (or item)',
  },
  certificateNotFuture: {
    id: 'certificate.not-future',
    source: 'record: a certificate cannot be issued ahead',
  },
  certificateKnown: { id: 'certificate.known', source: 'record: only an issued certificate can be revoked' },
  certificateNotRevoked: { id: 'certificate.not-revoked', source: 'record: a certificate is revoked once' },
} as const
