import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import { entityIdSchema, instantSchema, pseudonymSchema } from '../primitives.ts'
import { accessPurposes } from './access.ts'

// Exports of the audit service (docs/architecture.md, "Reads are recorded", 「审计覆盖到每个用户」): every
// export of records with proofs is itself recorded, before the first byte is sent, in the access
// log. It lives in the `access` context because that context owns the `access-…` streams: an
// export of one worker's history goes to `access-{worker}`, next to the other reads of that
// worker's record, so "who looked at my record" shows it; an export of a claim, class or region
// goes to the one stream `access-audit`.

/** What an export selected: a worker's history, a claim's trace, a class, or a region and period. */
export const exportSelectionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('worker'), worker: pseudonymSchema }),
  z.strictObject({ kind: z.literal('claim'), claim: entityIdSchema }),
  z.strictObject({ kind: z.literal('class'), class: entityIdSchema }),
  z.strictObject({
    kind: z.literal('region'),
    /** A 行政区划代码 prefix: 2 digits a province, 4 a city, 6 a county. */
    region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 2-, 4- or 6-digit 行政区划代码 prefix'),
    /** The period, by when events happened (`occurredAt`): from inclusive, to exclusive. */
    from: instantSchema,
    to: instantSchema,
  }),
])

export const recordsExported = defineEvent({
  type: 'RecordsExported',
  context: 'access',
  category: 'access',
  key: 'log',
  summary: 'Records are exported with their proofs: who, what selection, which checkpoint, for what purpose.',
  // Who exported is the envelope's actor (role as `kind`, the token's subject as `id`); when is
  // its `occurredAt`.
  schema: z.strictObject({
    /** The access log it belongs to: the worker's pseudonym, or `audit` for other selections. */
    log: z.union([pseudonymSchema, z.literal('audit')]),
    selection: exportSelectionSchema,
    purpose: z.enum(accessPurposes),
    /** The audit engagement, investigation or inspection the export is for. */
    caseRef: entityIdSchema.optional(),
    /** The size of the signed checkpoint every proof in the export is against. */
    checkpointSize: z.int().min(1),
    /** How many events the export holds. */
    events: z.int().min(0),
    /**
     * SHA-256 (hex) of the leaf indexes the export holds, 8 bytes big-endian each: the same
     * digest as the export's header, so the log itself commits to what the header claims.
     */
    leafIndexDigest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** The calling system (the token's client id). */
    client: z.string().min(1).max(128),
    /** The request id of the HTTP exchange that carried the export. */
    requestId: z.string().min(1).max(128),
  }),
})

export const auditEvents = [recordsExported] as const
