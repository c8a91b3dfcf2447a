export type { BackingKindRule, BackingRuleSet } from './backing-rules.ts'
export { ruleSetFor } from './backing-rules.ts'
export type { DisbursementRow, ParsedDisbursements, ParseOptions } from './disbursement-csv.ts'
export { csvRecords, disbursementColumns, parseDisbursementCsv } from './disbursement-csv.ts'
export type { Fact, FoldEvent, StoredFoldRow } from './events.ts'
export { allOf, byPosition, canonical, foldEventOfRow, is, lastOf, slimData, workerOf } from './events.ts'
export type { KpiDimension, KpiRow } from './kpis.ts'
export { aggregateKpis, kpiDimensions } from './kpis.ts'
export type {
  BackingContext,
  BackingReason,
  BackingReasonCode,
  CitedEvidence,
  PaymentBacking,
} from './payment-backing.ts'
export { backingReasonCodes, paymentBacking } from './payment-backing.ts'
export type { PlanLine, PlanProgress, PlanTarget } from './plan-progress.ts'
export { planProgress, trainingOf } from './plan-progress.ts'
export type { ReconcileOptions, ReconciliationReport, RecordDisbursement } from './reconciliation.ts'
export { disbursementOfPayment, reconcile } from './reconciliation.ts'
export {
  addDays,
  chinaDay,
  chinaYear,
  inRegion,
  notAfter,
  quarterOf,
  quarterPattern,
  regionPrefix,
} from './time.ts'
export type {
  ArchiveAssessment,
  ArchiveCertificate,
  ArchiveIdentityCheck,
  ArchiveOptions,
  ArchivePayment,
  ArchiveSubsidyYear,
  ArchiveTraining,
  WorkerArchive,
} from './worker-archive.ts'
export {
  archiveReferences,
  archiveReferenceTypes,
  archiveWorkerTypes,
  foldWorkerArchive,
} from './worker-archive.ts'
export type {
  CompletionRecord,
  ComplianceOptions,
  PackedComplianceData,
  PaymentRecord,
  WorkerCompliance,
} from './worker-compliance.ts'
export {
  awaitsEvidence,
  complianceInertTypes,
  complianceRecordTypes,
  complianceReferenceTypes,
  complianceTimedTypes,
  complianceWorkerTypes,
  defaultEmploymentWindowDays,
  foldWorkerCompliance,
  neverQuiet,
  packComplianceData,
  quietAfter,
  unpackComplianceData,
} from './worker-compliance.ts'
