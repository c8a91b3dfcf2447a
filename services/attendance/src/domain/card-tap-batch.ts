import { reject } from '@trec/command'
import { type EventDataToAppend, entityIdSchema, instantSchema, pseudonymSchema } from '@trec/contracts'
import { z } from 'zod'
import type { ClassView } from './class-view.ts'
import { faceCheckViolations, type RecordFaceCheckBatch, signerViolations } from './face-check-batch.ts'
import { violation } from './rules.ts'

// 持卡参训: a card reader registered to the class as a device (the same registry and keys as
// face-check terminals) signs the taps it read at 签到 and 签退. The card number never reaches the
// record: the reader maps the card to the worker's pseudonym (the one the training provider
// enrolled) and sends only that, and the schema is strict, so a batch carrying a card number is
// refused rather than stored. A batch is all or nothing; its taps obey the same rules as face
// checks (on the roster, a scheduled session, within its window and tolerance, not in the future,
// not after closing, not repeated).

/** Most taps in one batch: keeps a signed batch well under the request body limit. */
export const maxTapsPerBatch = 1000

export const cardTapSchema = z.strictObject({
  /** The worker's pseudonym as the reader resolved it from the card; never the card number. */
  worker: pseudonymSchema,
  session: entityIdSchema,
  tappedAt: instantSchema,
  purpose: z.enum(['sign_in', 'sign_out']),
})

export const cardTapBatchSchema = z.strictObject({
  device: entityIdSchema,
  class: entityIdSchema,
  batchId: entityIdSchema,
  taps: z.array(cardTapSchema).min(1).max(maxTapsPerBatch),
})

export type CardTapBatch = z.output<typeof cardTapBatchSchema>

export type CardTapEvent = { type: 'CardTapRecorded'; data: EventDataToAppend<'CardTapRecorded'> }

export interface RecordCardTapBatch extends Omit<RecordFaceCheckBatch, 'kind' | 'batch'> {
  kind: 'RecordCardTapBatch'
  batch?: CardTapBatch
}

/** Decides a reader's batch against its class: every tap as a `CardTapRecorded`, or a refusal. */
export function decideCardTapBatch(command: RecordCardTapBatch, view: ClassView): CardTapEvent[] {
  const signing = signerViolations(command)
  if (signing.length > 0) reject(...signing)
  const batch = command.batch
  if (!batch) return reject(violation('batch-signed', 'the batch has no verified payload'))
  if (!view.exists || !view.opened) reject(violation('class-opened', `class ${batch.class} has not opened`))
  const asChecks = batch.taps.map((t) => ({ ...t, checkedAt: t.tappedAt }))
  // People tap out as they leave, after the session's end: a 签退 tap may come as long after the
  // end as a 签到 may come before the start (whatever the window face checks are held to).
  const { beforeMs, afterMs } = command.tolerance
  const window = { ...command, tolerance: { beforeMs, afterMs: Math.max(afterMs, beforeMs) } }
  const refused = faceCheckViolations({ checks: asChecks }, view, window).map((v) => ({
    ...v,
    message: v.message.replace('checkedAt', 'tappedAt'),
    details: { index: v.index, field: `taps[${v.index}]` },
  }))
  if (refused.length > 0) reject(...refused)
  return batch.taps.map((tap) => ({
    type: 'CardTapRecorded',
    data: { ...tap, class: batch.class, device: batch.device },
  }))
}
