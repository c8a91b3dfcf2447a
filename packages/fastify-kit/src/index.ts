export type { AdmissionOptions, AdmissionState } from './admission.ts'
export { admissionPlugin, isAdmitted } from './admission.ts'
export type { AdmissionReason, BudgetLimits } from './admission-budget.ts'
export type { AuthOptions, RouteAuth, RouteAuthEntry } from './auth.ts'
export { authenticate, authPlugin, keySource, principal, routeCatalogue, VerifiedTokens } from './auth.ts'
export { type Front, type FrontOptions, listenBehindFront } from './front.ts'
export type { FrontStats } from './front-protocol.ts'
export type { IdempotencyOptions } from './idempotency.ts'
export { type CommandIds, commandEventIds, idempotencyPlugin, singleEventId } from './idempotency.ts'
export type { SqlWhere } from './list-sql.ts'
export { sqlWhere, totalOf } from './list-sql.ts'
export type { LineSink } from './logger.ts'
export { loggerOptions, scrubLine } from './logger.ts'
export type { OpenapiOptions } from './openapi.ts'
export { openapiPlugin, wildcardParam } from './openapi.ts'
export type { Pager } from './paging.ts'
export { cursorKeyOf, MAX_PAGE, nextCursorField, pageFields, pager } from './paging.ts'
export type { Platform, PlatformOptions, RequestSample } from './platform.ts'
export { buildPlatform } from './platform.ts'
export type { Claims, Principal, Role } from './principal.ts'
export {
  actorOf,
  assertClass,
  assertInstitution,
  assertRegion,
  assertRegionNamed,
  claimsSchema,
  inRegionScope,
  ownWorker,
  principalKey,
  principalOf,
  readerOf,
  roles,
  staffRoles,
} from './principal.ts'
export {
  issueSchema,
  problemPlugin,
  problemSchema,
  sendProblem,
  toTrecError,
} from './problem.ts'
export type { Problem } from './problem-body.ts'
export { problemContentType, problemOf } from './problem-body.ts'
export type { RateLimitOptions } from './protection.ts'
export { rateLimitKey, rateLimitPlugin, securityHeadersPlugin } from './protection.ts'
export { refuseIdempotencyKey, refuseIdempotencyKeyFor } from './refuse-idempotency-key.ts'
export { cardNumberIssues, cardScreeningPlugin } from './screening.ts'
export type { TokenIssuer } from './tokens.ts'
export { createTokenIssuer } from './tokens.ts'
