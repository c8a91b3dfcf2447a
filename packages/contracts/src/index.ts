export { commandAnswerSchema, commandAnswerWith } from './answers.ts'
export { accessEvents, accessFlags, accessPurposes, accessViews, recordAccessed } from './catalogue/access.ts'
export {
  assessmentEvents,
  assessmentResultRecorded,
  certificateIssued,
  certificateKinds,
  certificateRevoked,
  certificateSerialRegistered,
  evaluatorKinds,
  issuerSerialSchema,
  trainingCompleted,
} from './catalogue/assessment.ts'
export {
  attendanceEvents,
  cardTapRecorded,
  devicePublicKeySchema,
  deviceRegistered,
  deviceRevoked,
  deviceSigningAlgorithms,
  faceCheckRecorded,
  faceCheckRecordedV1Schema,
  livenessMethods,
  onlineLearningSegmentRecorded,
  placeSchema,
} from './catalogue/attendance.ts'
export { auditEvents, exportSelectionSchema, recordsExported } from './catalogue/audit.ts'
export {
  employmentEvents,
  employmentOutcomeObserved,
  employmentOutcomes,
  employmentSources,
  populationGroups,
  workerGroupAttested,
} from './catalogue/employment.ts'
export {
  alertIdSchema,
  alertSubjectKinds,
  alertSubjectSchema,
  caseClawbackReasons,
  caseClosed,
  caseConclusions,
  caseEvidenceLinked,
  caseFindingsRecorded,
  caseIdSchema,
  caseOpened,
  caseSanctionDecided,
  clawbackRequested,
  fraudAlertRaised,
  fraudAlertResolved,
  fraudRuleIdSchema,
  inspectionSampleSelected,
  oversightEvents,
  samplingAlgorithms,
  samplingRunIdSchema,
  sanctionKinds,
} from './catalogue/oversight.ts'
export {
  bankReasonSchema,
  bankReturnRecorded,
  cardAccountRegistered,
  cardAccountSchema,
  paymentBatchEvents,
  paymentBatchIssued,
  paymentLineCancelled,
  paymentLineReissued,
  paymentLineSchema,
} from './catalogue/payment-batch.ts'
export { planEvents, planTargetBodySchema, planTargetPublished } from './catalogue/plan.ts'
export {
  recoveryEvents,
  recoveryHistorySchema,
  recoveryOpened,
  recoverySourceSchema,
  recoveryWriteOffRecorded,
  repaymentRecorded,
} from './catalogue/recovery.ts'
export {
  advanceApplied,
  advancePaid,
  claimSanctionReviewed,
  contributionHistoryAttested,
  payeeSchema,
  subsidyClaimDecided,
  subsidyClaimReviewed,
  subsidyClaimSubmitted,
  subsidyClawedBack,
  subsidyEvents,
  subsidyPaid,
} from './catalogue/subsidy.ts'
export {
  kindRuleSchema,
  payeeKinds,
  practiceSchema,
  type RuleSetBody,
  ruleAmountSchema,
  rulePrefixSchema,
  ruleSetDraftSchema,
  ruleSetSchema,
  subsidyRuleEvents,
  subsidyRuleSetAmended,
  subsidyRuleSetPublished,
  subsidyRuleSetWithdrawn,
} from './catalogue/subsidy-rules.ts'
export {
  classClosed,
  classOpened,
  classOpeningApplied,
  classOpeningAppliedV1Schema,
  identityVerified,
  identityVerifiedV1Schema,
  institutionDelisted,
  institutionDesignated,
  institutionKinds,
  institutionSuspended,
  preTrainingReviewDecided,
  programmePublished,
  reviewerSchema,
  rosterEntryAdded,
  sanctionCitationSchema,
  sessionSchema,
  teacherSchema,
  trainingEvents,
  voucherClaimed,
  voucherExpired,
  voucherIssued,
  voucherRedeemed,
  workerEnrolled,
} from './catalogue/training.ts'
export {
  objectionDecisions,
  objectionEntryKinds,
  objectionEntrySchema,
  objectionIdSchema,
  workerSessionIdSchema,
  workerViewEvents,
} from './catalogue/worker-view.ts'
export type { Context, EventDefinition, EventSpec, StreamCategory, Upcaster } from './definition.ts'
export { contexts, defineEvent, streamCategories, upcaster } from './definition.ts'
export type {
  Actor,
  AppendMetadata,
  Codec,
  Envelope,
  EnvelopeFields,
  EnvelopeMetadata,
  EventForStore,
  StoredEvent,
  UntypedEnvelope,
} from './envelope.ts'
export {
  actorKinds,
  actorSchema,
  createCodec,
  decodeRecorded,
  decodeRecordedOnce,
  envelopeMetadataSchema,
  sourceSchema,
  toEventToAppend,
} from './envelope.ts'
export {
  type AttestationRecord,
  type AttestedFact,
  attestationRecordSchema,
  attestedFactSchema,
  attestedFactsSchema,
  factSourceSchema,
  type IdentityAttestationClaims,
  type IdentityMethod,
  identityAttestationClaimsSchema,
  identityAttestationType,
  identityMethods,
} from './identity-attestation.ts'
export { toIssues } from './issues.ts'
export {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  fenSchema,
  instantSchema,
  noteSchema,
  occupationCodeSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  regionCovers,
  regionPrefix,
  ruleSetRefSchema,
  sha256HexSchema,
  skillLevelSchema,
  subsidyKindSchema,
  subsidyKinds,
  underPrefix,
  unitIntervalSchema,
  usccSchema,
} from './primitives.ts'
export {
  type Attendance,
  type AttendanceFacts,
  type AttendancePolicy,
  attendanceFacts,
  attendancePolicyOf,
  type CardTapFact,
  computeAttendance,
  defaultAttendancePolicy,
  type FaceCheckFact,
  isPassingCheck,
  type ScheduledSession,
  type SegmentFact,
  segmentFact,
} from './reading/attendance-hours.ts'
export {
  type AcceptedGroup,
  type GroupAttestation,
  groupAttestations,
  groupShownOn,
} from './reading/group-membership.ts'
export {
  effectiveVersions,
  emptyRulebook,
  evolveRulebook,
  type RulebookEvent,
  type RulebookState,
  ruleSetInForce,
} from './reading/rulebook.ts'
export type {
  CatalogueEntry,
  DomainEvent,
  DomainEventToAppend,
  EventData,
  EventDataToAppend,
  EventDefinitions,
  EventType,
} from './registry.ts'
export {
  currentVersion,
  definitionOf,
  describeCatalogue,
  eventDefinitions,
  eventTypes,
  isEventType,
  schemaFor,
  streamFor,
} from './registry.ts'
export type { SealedValue } from './sealed.ts'
export { sealedValueSchema } from './sealed.ts'
export { clockOption, objectWith, parseServiceOptions } from './service-options.ts'
export { isValidUscc, usccCheckCharacter } from './uscc.ts'
