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
] as const
export type Role = (typeof roles)[number]

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
  subject: string
  clientId: string
  tokenId: string
  role: Role
  institution?: string
  region?: string
  classId?: string
  device?: string
}

export function principalOf(claims: Claims): Principal {
  return {
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

/** Region-bound roles act only inside their 行政区划代码 prefix. */
export function assertRegion(principal: Principal, region: string): void {
  const bound = ['subsidy_officer', 'finance', 'reviewer', 'assessor'].includes(principal.role)
  if (bound && (!principal.region || !region.startsWith(principal.region))) throw forbidden('another region')
}

/** A face-check device submits checks only for the class it is registered to. */
export function assertClass(principal: Principal, classId: string): void {
  if (principal.role === 'device' && principal.classId !== classId) throw forbidden('another class')
}
