import { reject } from '@trec/command'
import {
  type EventDataToAppend,
  entityIdSchema,
  instantSchema,
  pseudonymSchema,
  sha256HexSchema,
  unitIntervalSchema,
} from '@trec/contracts'
import { z } from 'zod'
import { faceCheckSchema, maxChecksPerBatch } from './batch-payload.ts'
import type { ClassView } from './class-view.ts'
import {
  type FaceCheckEvent,
  faceCheckViolations,
  type RecordFaceCheckBatch,
  signerViolations,
} from './face-check-batch.ts'
import { type CheckViolation, violation } from './rules.ts'

// What an online learning platform signs: its learners' segments in one class (start, end, the
// content played, progress, playback rate, interactions) and the face checks it took at random
// during learning. D0/D1 ask that online training be supervised by 「实名制管理、人脸识别等技术
// 手段」 so that 「学习过程可查询、可追溯」. The platform is registered as a device of the class,
// with its own key, so its records are as traceable as a terminal's. A batch is all or nothing.
// Playback speed is recorded as reported, never refused: the hours reading does not count
// sped-up play and R10 raises it, so the evidence is kept.

/** Most segments in one batch: keeps a signed batch well under the request body limit. */
export const maxSegmentsPerBatch = 5000

export const learningSegmentSchema = z.strictObject({
  worker: pseudonymSchema,
  /** The content played (a lesson or course unit id). */
  lesson: entityIdSchema,
  start: instantSchema,
  end: instantSchema,
  /** Share of the content played by the segment's end. */
  progress: unitIntervalSchema,
  playbackRate: z.number().positive().max(16),
  /** Answers, clicks and quiz items the learner gave during the segment. */
  interactions: z.int().min(0).max(100_000),
  /** SHA-256 of the client's device and browser traits, never the traits. */
  clientFingerprint: sha256HexSchema,
})

export const learningBatchSchema = z.strictObject({
  device: entityIdSchema,
  class: entityIdSchema,
  batchId: entityIdSchema,
  segments: z.array(learningSegmentSchema).max(maxSegmentsPerBatch),
  checks: z.array(faceCheckSchema).max(maxChecksPerBatch),
})

export type LearningBatch = z.output<typeof learningBatchSchema>

export type LearningSegmentEvent = {
  type: 'OnlineLearningSegmentRecorded'
  data: EventDataToAppend<'OnlineLearningSegmentRecorded'>
}

export interface RecordLearningBatch extends Omit<RecordFaceCheckBatch, 'kind' | 'batch'> {
  kind: 'RecordLearningBatch'
  batch?: LearningBatch
}

function segmentViolations(batch: LearningBatch, view: ClassView, latest: number): CheckViolation[] {
  const found: CheckViolation[] = []
  const byWorker = new Map<string, [number, number, number][]>()
  batch.segments.forEach((segment, index) => {
    const start = Date.parse(segment.start)
    const end = Date.parse(segment.end)
    const at = (field: string) => ({ index, field: `segments[${index}].${field}` })
    const refuse = (rule: Parameters<typeof violation>[0], field: string, message: string) =>
      found.push({ ...violation(rule, message, at(field)), index })
    if (!view.roster.has(segment.worker))
      refuse('worker-enrolled', 'worker', 'the worker is not on the class roster')
    if (end <= start) refuse('segment-order', 'end', 'end must be after start')
    if (end > latest) refuse('not-in-future', 'end', 'the segment ends in the future')
    if (view.closedAt !== undefined && end > view.closedAt)
      refuse('before-closing', 'end', 'the segment ends after the class closed')
    const own = byWorker.get(segment.worker) ?? []
    const other = own.find(([s, e]) => s < end && start < e)
    if (other !== undefined && end > start)
      refuse(
        'segment-no-overlap',
        'start',
        `the segment overlaps segments[${other[2]}] of the same worker in this batch`,
      )
    own.push([start, end, index])
    byWorker.set(segment.worker, own)
  })
  return found
}

/** Decides a platform's batch against its class: its checks and segments as events, or a refusal. */
export function decideLearningBatch(
  command: RecordLearningBatch,
  view: ClassView,
): (FaceCheckEvent | LearningSegmentEvent)[] {
  const signing = signerViolations(command)
  if (signing.length > 0) reject(...signing)
  const batch = command.batch
  if (!batch) return reject(violation('batch-signed', 'the batch has no verified payload'))
  if (!view.exists || !view.opened) reject(violation('class-opened', `class ${batch.class} has not opened`))
  if (view.mode === 'offline') reject(violation('class-online', `class ${batch.class} is taught offline`))
  if (batch.segments.length + batch.checks.length === 0)
    reject(violation('batch-not-empty', 'the batch has neither segments nor checks'))
  const refused = [
    ...faceCheckViolations(batch, view, command).map((v) => ({
      ...v,
      details: { index: v.index, field: `checks[${v.index}]` },
    })),
    ...segmentViolations(batch, view, command.now + command.maxSkewMs),
  ]
  if (refused.length > 0) reject(...refused)
  const platform = command.signer.registration!.institution
  return [
    ...batch.checks.map(
      (check): FaceCheckEvent => ({
        type: 'FaceCheckRecorded',
        data: { ...check, class: batch.class, device: batch.device },
      }),
    ),
    ...batch.segments.map(
      (segment): LearningSegmentEvent => ({
        type: 'OnlineLearningSegmentRecorded',
        data: { ...segment, class: batch.class, platform, signedBy: batch.device },
      }),
    ),
  ]
}
