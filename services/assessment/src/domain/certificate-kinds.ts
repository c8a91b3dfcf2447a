import type { certificateKinds } from '@trec/contracts'

// Rule data for the five certificate kinds of D3 (二十六). `levelled` follows the contract (only
// these kinds certify an occupation at one of the five levels). `requiresAssessment` says
// whether issuing one needs a passing AssessmentResultRecorded in this record: that is national
// practice, not in the seeds, so it is data a deployment can change (service options).

export type CertificateKind = (typeof certificateKinds)[number]

export interface CertificateKindRule {
  /** Names an occupation and a level (1–5); otherwise it names an item code. */
  levelled: boolean
  /** A passing result for the worker, occupation (and level) must be on the record first. */
  requiresAssessment: boolean
}

export const defaultCertificateKindRules: Readonly<Record<CertificateKind, CertificateKindRule>> = {
  // 职业资格证书: after 职业资格鉴定 by the authority or its station.
  occupational_qualification: { levelled: true, requiresAssessment: true },
  // 职业技能等级证书: after 职业技能等级认定 by a 社会培训评价组织 or an employer that evaluates.
  skill_level: { levelled: true, requiresAssessment: true },
  // 专项职业能力证书: after 专项职业能力考核 (D0, D3, D4).
  special_ability: { levelled: false, requiresAssessment: true },
  // 特种作业操作证: examined and issued by the 应急管理 authority in its own system (practice).
  special_operation: { levelled: false, requiresAssessment: false },
  // 特种设备作业人员证: examined and issued by the 市场监管 authority in its own system (practice).
  special_equipment: { levelled: false, requiresAssessment: false },
}
