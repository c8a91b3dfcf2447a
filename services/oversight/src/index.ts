export type { CaseCommand, CaseState } from './cases/case-decider.ts'
export { caseDecider } from './cases/case-decider.ts'
export type { RaisedAlert } from './detectors/alert-event.ts'
export {
  alertEventFor,
  alertEventIdOf,
  alertIdOf,
  alertStreamOf,
  raiseAlert,
} from './detectors/alert-event.ts'
export type { DetectorProjection } from './detectors/detector-projection.ts'
export { detectorProjection } from './detectors/detector-projection.ts'
export { DetectorRunner } from './detectors/detector-runner.ts'
export type {
  AlertDraft,
  AlertSubject,
  AlertSubjectKind,
  FraudRule,
  RuleState,
} from './detectors/fraud-rule.ts'
export { MemoryRuleState } from './detectors/fraud-rule.ts'
export { detect, detectAll, runRule } from './detectors/run-rule.ts'
export { uuidFromText } from './ids.ts'
export type { OversightOptions } from './options.ts'
export { alertsName, alertsProjection } from './read/alerts-projection.ts'
export { caseworkName, caseworkProjection } from './read/casework-projection.ts'
export { registryName, registryProjection } from './read/registry-projection.ts'
export type { ReadSideOptions } from './read-side.ts'
export { OversightReadSide } from './read-side.ts'
export type { LatLon } from './rules/geo.ts'
export { distanceKm } from './rules/geo.ts'
export { fraudRules } from './rules/index.ts'
export type { RuleBook, RuleConfig, RuleId, RuleParameters } from './rules/parameters.ts'
export { loadRuleBook, parseRuleBook, ruleBookSchema, ruleIds, withRule } from './rules/parameters.ts'
export type { Sample } from './sampling/recompute-sample.ts'
export {
  canonicalPopulation,
  populationDigest,
  recomputeSample,
  Sha256Stream,
  samplingAlgorithm,
} from './sampling/recompute-sample.ts'
export { followUntilStopped, oversightService } from './service.ts'
export type { ClaimTrace } from './trace/claim-trace.ts'
