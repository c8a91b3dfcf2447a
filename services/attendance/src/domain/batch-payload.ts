import {
  entityIdSchema,
  instantSchema,
  livenessMethods,
  placeSchema,
  pseudonymSchema,
  sha256HexSchema,
  unitIntervalSchema,
} from '@trec/contracts'
import { z } from 'zod'

// What a face-check device signs: one batch of checks it took in its class. There is no image
// field and every object is strict, so a device that sends a photo is refused rather than
// having it stored (docs/architecture.md, "Identity": face images are never stored).

/** Most checks in one batch: keeps a signed batch well under the request body limit. */
export const maxChecksPerBatch = 1000

export const faceCheckSchema = z.strictObject({
  worker: pseudonymSchema,
  session: entityIdSchema,
  checkedAt: instantSchema,
  /** 签到, 签退, or a check at a random time during the session. */
  purpose: z.enum(['sign_in', 'sign_out', 'spot']),
  result: z.enum(['pass', 'fail']),
  /** Similarity to the enrolled template as the device reports it, scaled to [0, 1]. */
  matchScore: unitIntervalSchema,
  liveness: z.strictObject({
    method: z.enum(livenessMethods),
    score: unitIntervalSchema,
    passed: z.boolean(),
  }),
  place: placeSchema.optional(),
  /** SHA-256 of the template or image the device operator holds; never the image itself. */
  templateHash: sha256HexSchema,
})

export const faceCheckBatchSchema = z.strictObject({
  device: entityIdSchema,
  class: entityIdSchema,
  /** The device's own id for the batch: with the device id it names the batch for ever. */
  batchId: entityIdSchema,
  checks: z.array(faceCheckSchema).min(1).max(maxChecksPerBatch),
})

export type FaceCheck = z.output<typeof faceCheckSchema>
export type FaceCheckBatch = z.output<typeof faceCheckBatchSchema>
