import { recoveryHistorySchema } from '@trec/contracts'
import { z } from 'zod'

// The archive as the API answers it (WorkerArchive of @trec/readmodels), for the OpenAPI document
// and the response check.

const issuer = z.object({ kind: z.string(), id: z.string() })

export const archiveSchema = z
  .object({
    worker: z.string(),
    asOf: z.string().nullable(),
    found: z.boolean(),
    throughPosition: z.string(),
    trainings: z.array(
      z.object({
        class: z.string(),
        institution: z.string().optional(),
        institutionName: z.string().optional(),
        programme: z.string().optional(),
        occupationCode: z.string().optional(),
        occupationTitle: z.string().optional(),
        level: z.int().optional(),
        subsidyKind: z.string().optional(),
        region: z.string().optional(),
        mode: z.string().optional(),
        plannedHours: z.number().optional(),
        enrolledAt: z.string().optional(),
        identityVerified: z.boolean(),
        identityCheck: z
          .object({
            method: z.string(),
            result: z.string(),
            verifiedBy: issuer,
            checkedAt: z.string(),
            attestation: z
              .object({ issuer: z.string(), issuedAt: z.string(), sha256: z.string() })
              .optional(),
          })
          .optional(),
        status: z.enum(['enrolled', 'passed', 'not_passed']),
        completion: z
          .object({
            completedAt: z.string(),
            attendedHours: z.number(),
            requiredHours: z.number(),
            attendanceShare: z.number(),
            passed: z.boolean(),
          })
          .optional(),
      }),
    ),
    assessments: z.array(
      z.object({
        assessment: z.string(),
        class: z.string().optional(),
        occupationCode: z.string().optional(),
        level: z.int().optional(),
        score: z.number().optional(),
        passed: z.boolean(),
        evaluator: issuer,
        assessedOn: z.string(),
      }),
    ),
    certificates: z.array(
      z.object({
        certificate: z.string(),
        kind: z.string(),
        serial: z.string(),
        issuer,
        occupationCode: z.string().optional(),
        level: z.int().optional(),
        itemCode: z.string().optional(),
        issuedOn: z.string(),
        validUntil: z.string().optional(),
        status: z.enum(['issued', 'revoked']),
        revokedAt: z.string().optional(),
        revocationReason: z.string().optional(),
      }),
    ),
    subsidies: z.object({
      byYear: z.array(
        z.object({ year: z.int(), payments: z.int(), paid: z.int(), clawedBack: z.int(), net: z.int() }),
      ),
      payments: z.array(
        z.object({
          claim: z.string(),
          kind: z.string().optional(),
          class: z.string().optional(),
          amount: z.int(),
          payee: issuer,
          paidAt: z.string(),
          year: z.int(),
          clawedBack: z.int(),
        }),
      ),
      /** Recovery accounts the worker owes (clawbacks followed to the money returned), with their history. */
      recoveries: z.array(recoveryHistorySchema),
    }),
    totals: z.object({
      trainings: z.int(),
      passed: z.int(),
      hours: z.number(),
      certificates: z.int(),
      subsidyNet: z.int(),
    }),
  })
  .meta({
    id: 'WorkerArchive',
    description:
      'A worker’s lifelong training archive: trainings, assessments, certificates, subsidies paid and clawed back (amounts in fen), and totals.',
  })
