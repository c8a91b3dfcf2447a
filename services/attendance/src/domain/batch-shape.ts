import { instantSchema, livenessMethods } from '@trec/contracts'
import type { FaceCheck, FaceCheckBatch } from './batch-payload.ts'
import type { LearningBatch } from './learning-batch.ts'

// The common case of a signed batch, checked by hand. zod reads a batch of 500 segments at about
// twice the cost of JSON.parse: per field it builds a context, runs each check through its
// generic machinery and copies each object. A platform's batch is almost always well formed, so
// the route first asks these functions, which say only "certainly valid"; anything they do not
// accept (a wrong field, an extra key, a value out of range) goes to the zod schema, which
// decides and names every failing field. They accept nothing the schemas refuse: the same
// patterns (the instant's is zod's own, taken from `instantSchema`), the same ranges, the same
// strict key sets; the tests hold them to the schemas on valid and broken batches.
// What they answer is the batch rebuilt in the schemas' key order, as zod would give it.

const pseudonym = /^[0-9a-f]{32}$/
const entityId = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/
const sha256Hex = /^[0-9a-f]{64}$/
const instant = (instantSchema as unknown as { _zod: { pattern: RegExp } })._zod.pattern
const liveness = new Set<unknown>(livenessMethods)

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isString = (v: unknown, pattern: RegExp): v is string => typeof v === 'string' && pattern.test(v)
const isNumber = (v: unknown, min: number, max: number, minExclusive = false): v is number =>
  typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max
const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
/** Exactly these keys (own ones: JSON.parse makes no others), the optional ones perhaps absent. */
const hasKeys = (o: Json, required: number, optional: readonly string[] = []): boolean => {
  let n = 0
  for (const _ in o) n++
  let present = 0
  for (const k of optional) if (Object.hasOwn(o, k)) present++
  return n === required + present
}

function segment(s: unknown): LearningBatch['segments'][number] | undefined {
  if (!isObject(s) || !hasKeys(s, 8)) return undefined
  const { worker, lesson, start, end, progress, playbackRate, interactions, clientFingerprint } = s
  if (
    !isString(worker, pseudonym) ||
    !isString(lesson, entityId) ||
    !isString(start, instant) ||
    !isString(end, instant) ||
    !isNumber(progress, 0, 1) ||
    !isNumber(playbackRate, 0, 16, true) ||
    !isInt(interactions, 0, 100_000) ||
    !isString(clientFingerprint, sha256Hex)
  )
    return undefined
  return { worker, lesson, start, end, progress, playbackRate, interactions, clientFingerprint }
}

function faceCheck(c: unknown): FaceCheck | undefined {
  if (!isObject(c) || !hasKeys(c, 8, ['place'])) return undefined
  const { worker, session, checkedAt, purpose, result, matchScore, liveness: l, place, templateHash } = c
  if (
    !isString(worker, pseudonym) ||
    !isString(session, entityId) ||
    !isString(checkedAt, instant) ||
    (purpose !== 'sign_in' && purpose !== 'sign_out' && purpose !== 'spot') ||
    (result !== 'pass' && result !== 'fail') ||
    !isNumber(matchScore, 0, 1) ||
    !isObject(l) ||
    !hasKeys(l, 3) ||
    !liveness.has(l.method) ||
    !isNumber(l.score, 0, 1) ||
    typeof l.passed !== 'boolean' ||
    !isString(templateHash, sha256Hex)
  )
    return undefined
  const method = l.method as FaceCheck['liveness']['method']
  const checked = { method, score: l.score, passed: l.passed }
  if (!Object.hasOwn(c, 'place'))
    return { worker, session, checkedAt, purpose, result, matchScore, liveness: checked, templateHash }
  if (
    !isObject(place) ||
    !hasKeys(place, 2) ||
    !isNumber(place.lat, -90, 90) ||
    !isNumber(place.lon, -180, 180)
  )
    return undefined
  const at = { lat: place.lat, lon: place.lon }
  return {
    worker,
    session,
    checkedAt,
    purpose,
    result,
    matchScore,
    liveness: checked,
    place: at,
    templateHash,
  }
}

/** Every element through `each`, or undefined as soon as one is not certainly valid. */
function all<T>(
  items: unknown,
  min: number,
  max: number,
  each: (v: unknown) => T | undefined,
): T[] | undefined {
  if (!Array.isArray(items) || items.length < min || items.length > max) return undefined
  const out: T[] = new Array(items.length)
  for (let i = 0; i < items.length; i++) {
    const v = each(items[i])
    if (v === undefined) return undefined
    out[i] = v
  }
  return out
}

function head(b: Json): { device: string; class: string; batchId: string } | undefined {
  const { device, class: classId, batchId } = b
  if (!isString(device, entityId) || !isString(classId, entityId) || !isString(batchId, entityId))
    return undefined
  return { device, class: classId, batchId }
}

/** A face-check device's batch if it is certainly valid (see above), else undefined: ask the schema. */
export function wellFormedFaceCheckBatch(json: unknown, maxChecks: number): FaceCheckBatch | undefined {
  if (!isObject(json) || !hasKeys(json, 4)) return undefined
  const h = head(json)
  const checks = h && all(json.checks, 1, maxChecks, faceCheck)
  return checks && { ...h, checks }
}

/** A learning platform's batch if it is certainly valid (see above), else undefined: ask the schema. */
export function wellFormedLearningBatch(
  json: unknown,
  limits: { maxSegments: number; maxChecks: number },
): LearningBatch | undefined {
  if (!isObject(json) || !hasKeys(json, 5)) return undefined
  const h = head(json)
  const segments = h && all(json.segments, 0, limits.maxSegments, segment)
  const checks = segments && all(json.checks, 0, limits.maxChecks, faceCheck)
  return checks && { ...h!, segments: segments!, checks }
}
