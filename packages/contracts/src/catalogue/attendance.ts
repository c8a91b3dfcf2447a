import { z } from 'zod'
import { defineEvent, upcaster } from '../definition.ts'
import {
  entityIdSchema,
  instantSchema,
  noteSchema,
  pseudonymSchema,
  sha256HexSchema,
  unitIntervalSchema,
} from '../primitives.ts'

// The attendance context: face checks and the online-learning trail. The seeds name face
// recognition for online training (D0, D1: 「采取实名制管理、人脸识别等技术手段…实现学习过程可查询、
// 可追溯」); offline face-check attendance is national practice (docs/domain.md §2 step 7). Face images
// are never stored: a check records the verdict, the scores, the device, the time and place, and
// a hash of the template the device operator holds (docs/architecture.md, "Identity").

export const placeSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
})

/** Liveness detection methods of face-check terminals: 静默, 动作, 炫彩 (flash), 3D structured light. */
export const livenessMethods = ['silent', 'action', 'flash', '3d'] as const

const measuredLiveness = z.strictObject({
  method: z.enum(livenessMethods),
  score: unitIntervalSchema,
  passed: z.boolean(),
})

// Version 1 recorded only whether liveness passed. Upcast history says so plainly, with no
// method and no score, rather than inventing values; new checks must carry both.
const unrecordedLiveness = z.strictObject({
  method: z.literal('unknown'),
  score: z.null(),
  passed: z.boolean(),
})

function faceCheckShape<L extends z.ZodType>(liveness: L) {
  return z.strictObject({
    worker: pseudonymSchema,
    class: entityIdSchema,
    session: entityIdSchema,
    device: entityIdSchema,
    checkedAt: instantSchema,
    /** 签到, 签退, or a check at a random time during the session. */
    purpose: z.enum(['sign_in', 'sign_out', 'spot']),
    result: z.enum(['pass', 'fail']),
    /** Similarity to the enrolled template, as the device reports it, scaled to [0, 1]. */
    matchScore: unitIntervalSchema,
    liveness,
    place: placeSchema.optional(),
    templateHash: sha256HexSchema,
  })
}

/** Version 1: the match score as an integer percentage and a bare liveness verdict. */
export const faceCheckRecordedV1Schema = z.strictObject({
  worker: pseudonymSchema,
  class: entityIdSchema,
  session: entityIdSchema,
  device: entityIdSchema,
  checkedAt: instantSchema,
  purpose: z.enum(['sign_in', 'sign_out', 'spot']),
  result: z.enum(['pass', 'fail']),
  score: z.int().min(0).max(100),
  livenessPassed: z.boolean(),
  place: placeSchema.optional(),
  templateHash: sha256HexSchema,
})

const faceCheckRecordedSchema = faceCheckShape(
  z.discriminatedUnion('method', [measuredLiveness, unrecordedLiveness]),
)

export const faceCheckRecorded = defineEvent({
  type: 'FaceCheckRecorded',
  version: 2,
  context: 'attendance',
  category: 'attendance',
  key: 'worker',
  summary: 'A face check at a session: verdict, match and liveness scores, device, place, template hash.',
  schema: faceCheckRecordedSchema,
  appendSchema: faceCheckShape(measuredLiveness),
  upcasters: [
    upcaster(1, faceCheckRecordedV1Schema, (v1): z.input<typeof faceCheckRecordedSchema> => {
      const { score, livenessPassed, ...rest } = v1
      return {
        ...rest,
        matchScore: score / 100,
        liveness: { method: 'unknown', score: null, passed: livenessPassed },
      }
    }),
  ],
})

export const onlineLearningSegmentRecorded = defineEvent({
  type: 'OnlineLearningSegmentRecorded',
  context: 'attendance',
  category: 'attendance',
  key: 'worker',
  summary: 'A stretch of online learning as the platform logged it (「学习过程可查询、可追溯」, D0/D1).',
  schema: z
    .strictObject({
      worker: pseudonymSchema,
      class: entityIdSchema,
      platform: entityIdSchema,
      lesson: entityIdSchema,
      start: instantSchema,
      end: instantSchema,
      /** Playback speed during the segment, kept so the hour rules can decide whether sped-up play counts. */
      playbackRate: z.number().positive().max(16),
      /** A hash of the client's device and browser traits, never the traits themselves. */
      clientFingerprint: sha256HexSchema,
      /** Share of the content played by the segment's end, as the platform reports it. */
      progress: unitIntervalSchema.optional(),
      /** Answers, clicks and quiz items the learner gave during the segment; none suggests an unattended player. */
      interactions: z.int().min(0).optional(),
      /** The platform (a registered device) that signed the batch this segment came in; absent for unsigned segments. */
      signedBy: entityIdSchema.optional(),
    })
    .refine((s) => Date.parse(s.end) > Date.parse(s.start), {
      message: 'end must be after start',
      path: ['end'],
    }),
})

export const cardTapRecorded = defineEvent({
  type: 'CardTapRecorded',
  context: 'attendance',
  category: 'attendance',
  key: 'worker',
  summary:
    'A card tapped on a registered reader at 签到 or 签退 (持卡参训); a pseudonym, never the card number.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    class: entityIdSchema,
    session: entityIdSchema,
    /** The registered reader (a device of the class) that read the card and signed the batch. */
    device: entityIdSchema,
    tappedAt: instantSchema,
    purpose: z.enum(['sign_in', 'sign_out']),
  }),
})

// Face-check devices sign their batches (JWS, RFC 7515) with a key registered here, so a check
// can be traced to one terminal and a terminal that is lost or compromised can be cut off.
// Only the public key is kept; algorithms are the two the API accepts: EdDSA over Ed25519
// (RFC 8037 §3.1) and ES256, ECDSA over P-256 with SHA-256 (RFC 7518 §3.4).

/** 32 bytes in base64url without padding (RFC 7515 §2): an Ed25519 or P-256 coordinate. */
const base64url32Schema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be 32 bytes in base64url (43 characters)')

/** A public JWK (RFC 7517) of a kind the API accepts; a private part (`d`) is refused. */
export const devicePublicKeySchema = z.discriminatedUnion('kty', [
  z.strictObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: base64url32Schema }),
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url32Schema,
    y: base64url32Schema,
  }),
])

export const deviceSigningAlgorithms = ['EdDSA', 'ES256'] as const

export const deviceRegistered = defineEvent({
  type: 'DeviceRegistered',
  context: 'attendance',
  category: 'device',
  key: 'device',
  summary: 'A face-check device is registered to a class with the public key its batches are signed with.',
  schema: z
    .strictObject({
      device: entityIdSchema,
      class: entityIdSchema,
      institution: entityIdSchema,
      algorithm: z.enum(deviceSigningAlgorithms),
      publicKey: devicePublicKeySchema,
      /** The key's JWK thumbprint (RFC 7638, SHA-256), to name it in logs and audits. */
      keyThumbprint: base64url32Schema,
    })
    .refine((d) => (d.algorithm === 'EdDSA') === (d.publicKey.kty === 'OKP'), {
      message: 'EdDSA goes with an Ed25519 key, ES256 with a P-256 key',
      path: ['algorithm'],
    }),
})

export const deviceRevoked = defineEvent({
  type: 'DeviceRevoked',
  context: 'attendance',
  category: 'device',
  key: 'device',
  summary: 'A face-check device is revoked: batches signed with its key are refused from then on.',
  schema: z.strictObject({
    device: entityIdSchema,
    reason: z.enum(['lost', 'compromised', 'decommissioned', 'replaced', 'other']),
    note: noteSchema.optional(),
  }),
})

export const attendanceEvents = [
  faceCheckRecorded,
  onlineLearningSegmentRecorded,
  cardTapRecorded,
  deviceRegistered,
  deviceRevoked,
] as const
