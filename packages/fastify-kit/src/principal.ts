import { underPrefix } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { z } from 'zod'

// Who may call what (docs/architecture.md, "Access"): institution staff act for their own
// institution, a face-check device for its own class, officers and finance for their region
// (a 行政区划代码 prefix: 2 digits = province, 4 = city, 6 = county).
export const roles = [
  'institution_staff',
  'device',
  'assessor',
  'subsidy_officer',
  'finance',
  'reviewer',
  'card_service',
  'investigator',
  'auditor',
  'admin',
  // A worker reading their own record: the token is issued by this deployment, only in exchange
  // for a signed real-name attestation (POST /v1/worker-sessions), and names the worker by pseudonym.
  'worker',
] as const
export type Role = (typeof roles)[number]

/**
 * Every role that works on the record (staff, devices, services, supervision): what a read open to
 * all of them (the public register, a published catalogue) declares. A worker reads their own
 * record only, so the role is not among them.
 */
export const staffRoles: readonly Role[] = roles.filter((r) => r !== 'worker')

export const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  client_id: z.string().min(1).max(128),
  jti: z.string().min(1).max(128),
  role: z.enum(roles),
  institution: z.string().min(1).max(64).optional(),
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')
    .optional(),
  class: z.string().min(1).max(64).optional(),
  device: z.string().min(1).max(64).optional(),
})

export type Claims = z.infer<typeof claimsSchema>

export interface Principal {
  /** The token's issuer (`iss`): two issuers may hand out the same subject. */
  issuer?: string
  subject: string
  clientId: string
  tokenId: string
  role: Role
  institution?: string
  region?: string
  classId?: string
  device?: string
}

export function principalOf(claims: Claims, issuer?: string): Principal {
  return {
    ...(issuer ? { issuer } : {}),
    subject: claims.sub,
    clientId: claims.client_id,
    tokenId: claims.jti,
    role: claims.role,
    ...(claims.institution ? { institution: claims.institution } : {}),
    ...(claims.region ? { region: claims.region } : {}),
    ...(claims.class ? { classId: claims.class } : {}),
    ...(claims.device ? { device: claims.device } : {}),
  }
}

const forbidden = (reason: string, details: Record<string, unknown> = {}) =>
  new TrecError('TREC_FORBIDDEN', reason, { details: { reason, ...details } })

/** Staff may act only for their own institution. Other roles are not bound to one. */
export function assertInstitution(principal: Principal, institution: string): void {
  if (principal.role === 'institution_staff' && principal.institution !== institution)
    throw forbidden('another institution')
}

// One home for "is this resource inside the token's scope" and "who is acting": every route asks
// these, so a role's reach is decided in one place.

/** Roles whose every act is bounded by the region prefix their token must name. */
const regionBound: ReadonlySet<Role> = new Set(['subsidy_officer', 'finance', 'reviewer', 'assessor'])

/**
 * Whether a 行政区划代码 `region` lies inside what the token may reach. A region-bound role must
 * name a prefix and stays inside it; any other role that names one (an investigator of a city, a
 * provincial card platform) is bounded by it too; a token of such a role that names none reaches
 * everywhere by deliberate configuration (national supervision, the national card platform).
 */
export function inRegionScope(principal: Principal, region: string): boolean {
  if (principal.region === undefined) return !regionBound.has(principal.role)
  return underPrefix(region, principal.region)
}

/** Throws 403 unless `region` is inside the token's scope (see `inRegionScope`). */
export function assertRegion(principal: Principal, region: string): void {
  if (!inRegionScope(principal, region))
    throw forbidden(principal.region === undefined ? 'the token names no region' : 'another region', {
      ...(principal.region === undefined ? {} : { scope: principal.region }),
    })
}

/** Throws 403 when a region-bound role's token names no region (it then reaches nothing). */
export function assertRegionNamed(principal: Principal): void {
  if (principal.region === undefined && regionBound.has(principal.role))
    throw forbidden('the token names no region')
}

/**
 * Who acted, as events record it: the role as `kind`, the token's subject, and the institution
 * the token names, or the one given (a face-check device acts for the institution its
 * registration names, an online platform for itself).
 */
export function actorOf(
  principal: Principal,
  institution = principal.institution,
): { kind: Role; id: string; institution?: string } {
  return { kind: principal.role, id: principal.subject, ...(institution ? { institution } : {}) }
}

/**
 * The whole principal as one key: issuer, subject, client, role, region, institution, class and
 * device. Idempotency records and rate-limit budgets are kept per key, so two tokens that share a
 * subject but differ in any of these never see each other's answers or spend each other's budget.
 */
export function principalKey(principal: Principal): string {
  return JSON.stringify([
    principal.issuer ?? '',
    principal.subject,
    principal.clientId,
    principal.role,
    principal.region ?? '',
    principal.institution ?? '',
    principal.classId ?? '',
    principal.device ?? '',
  ])
}

/** A face-check device submits checks only for the class it is registered to. */
export function assertClass(principal: Principal, classId: string): void {
  if (principal.role === 'device' && principal.classId !== classId) throw forbidden('another class')
}

/** The caller of a request as an access event records a reader: actor, client and request id. */
export function readerOf(principal: Principal, requestId: string) {
  return { actor: actorOf(principal), client: principal.clientId, requestId }
}

/**
 * The worker a `worker` token speaks for: its subject, the worker's pseudonym, as the worker
 * session that issued it put it there. Every read and objection of the worker's own view is bound
 * to it; any other role is refused.
 */
export function ownWorker(principal: Principal): string {
  if (principal.role !== 'worker' || !/^[0-9a-f]{32}$/.test(principal.subject))
    throw forbidden('not a worker of the record')
  return principal.subject
}
