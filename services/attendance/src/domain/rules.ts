import type { RuleViolation } from '@trec/command'

// Every rule this service can refuse a command by, with where it comes from. `seed` rules
// rest on the policy documents (docs/domain.md §0: D0–D4); `practice` rules are national practice the
// seeds do not state, with their thresholds in the service options; `integrity` rules keep the
// record trustworthy (who signed what, no contradictions) and have no policy source.

export const rules = {
  // Device registry.
  'device-id-unused': {
    source: 'integrity',
    text: 'A device id is registered once; a replacement gets a new id.',
  },
  'class-exists': {
    source: 'integrity',
    text: 'A device or record names a class the training record knows.',
  },
  'class-not-closed': { source: 'integrity', text: 'No device is registered to a class that has closed.' },
  'device-registered': { source: 'integrity', text: 'Only a registered device can be revoked.' },
  'device-not-revoked': { source: 'integrity', text: 'A revoked device stays revoked.' },
  // Face-check batches: who signed it.
  'batch-signed': {
    source: 'integrity',
    text: 'A batch is a compact JWS (EdDSA or ES256, `kid` = device id) that verifies under the key registered for that device.',
  },
  'signer-registered': { source: 'integrity', text: 'The signing key belongs to a registered device.' },
  'signer-active': { source: 'integrity', text: 'The signing device is not revoked.' },
  'signer-is-caller': {
    source: 'integrity',
    text: "The batch is signed by the calling device's own key and names that device (no foreign device's key).",
  },
  'class-of-device': {
    source: 'integrity',
    text: 'The batch is for the class the device is registered to and its token names.',
  },
  // Face-check batches: each check.
  'class-opened': {
    source: 'integrity',
    text: 'Checks are taken only in a class that has opened (开班, D1).',
  },
  'worker-enrolled': {
    source: 'seed',
    text: 'A check is for a worker on the class roster (实名制, 「凡补必进」 D1/D3).',
  },
  'session-scheduled': {
    source: 'seed',
    text: "A check names a session of the class's schedule (ClassOpened, D1 开班).",
  },
  'within-session': {
    source: 'practice',
    text: "A check falls within its session's window, widened by the configured tolerance.",
  },
  'before-closing': { source: 'integrity', text: 'No check is taken after the class closed.' },
  'not-in-future': {
    source: 'integrity',
    text: "No check or segment ends after the server's clock plus the allowed skew.",
  },
  'check-unique': {
    source: 'integrity',
    text: 'A batch does not repeat a check (same worker, session, purpose and instant).',
  },
  // Online-learning segments.
  'segment-order': { source: 'integrity', text: 'A segment ends after it starts.' },
  'playback-rate': {
    source: 'practice',
    text: 'The playback rate lies within the configured range (倍速 limits are platform practice, not in the seeds).',
  },
  'segment-no-overlap': {
    source: 'seed',
    text: 'Segments of one worker in one class do not overlap (「学习过程可查询、可追溯」 D0/D1).',
  },
  'class-online': {
    source: 'seed',
    text: 'Online segments are recorded only for online or blended classes (D0/D1).',
  },
  'batch-not-empty': { source: 'integrity', text: 'A learning batch carries at least one segment or check.' },
  'platform-online': {
    source: 'seed',
    text: 'The recording platform is a designated online training platform, not delisted (D0 「线上培训平台审核、评价与退出机制」).',
  },
} as const

export type RuleId = keyof typeof rules

/** A violation of a rule of this service (the id is checked against the list above). */
export function violation(rule: RuleId, message: string, details?: Record<string, unknown>): RuleViolation {
  return details === undefined ? { rule, message } : { rule, message, details }
}

/** One refused check of a batch: which one (its index in `checks`), by which rule, and why. */
export interface CheckViolation extends RuleViolation {
  index: number
}

export function checkViolation(index: number, rule: RuleId, message: string): CheckViolation {
  return { index, rule, message }
}
