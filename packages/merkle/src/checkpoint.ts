// Checkpoints: the signed tree heads of our log, in the C2SP format (https://c2sp.org/tlog-checkpoint)
//
//   <origin>                      e.g. audit.example.gov.cn/trec-events
//   <tree size, decimal>          no leading zeros
//   <base64 root hash>            RFC 9162 root of that many leaves, standard padded base64
//   timestamp <ms since epoch>    our one extension line, always present (see below)
//   [more extension lines]        opaque, none written today
//
// signed two ways over the same body bytes (UTF-8, with the final newline):
// - as a C2SP signed note (Ed25519 signature lines), what Go tooling and witnesses read;
// - as a compact JWS (RFC 7515, alg EdDSA with an Ed25519 key per RFC 8037, `kid` = RFC 7638
//   thumbprint, `typ` = tlog-checkpoint+jws so it can never pass for an access token, RFC 8725
//   §3.11), for JOSE-only consumers. The JWS payload is the body itself.
//
// Why the timestamp is an extension line and not a JWS header: the key that may sign a checkpoint
// is chosen by time (key rotation windows), so the time must be covered by every signature an
// auditor might check, including the signed note, which has no header. RFC 9162 §4.10 likewise
// puts the timestamp inside the signed tree head. The C2SP spec calls extension lines NOT
// RECOMMENDED because monitors cannot audit them: the timestamp is the log's own claim, and
// witness cosignatures do not vouch for it.

import {
  type CryptoProfileName,
  cryptoProfile,
  type Issue,
  isCryptoProfileName,
  signatureSchemes,
  TrecError,
} from '@trec/core'
import { decodeProtectedHeader } from 'jose'
import type { WitnessKey } from './cosignature.ts'
import { HASH_SIZE } from './hash.ts'
import {
  type CheckpointKey,
  type CheckpointSigner,
  decodeBase64Strict,
  isKeyValidAt,
  type KeySet,
} from './keys.ts'
import { signNote, verifyNote } from './note.ts'

/** JWS `typ` of a checkpoint. */
export const CHECKPOINT_JWS_TYPE = 'tlog-checkpoint+jws'

/**
 * The extension line a checkpoint of a log under a non-default crypto profile carries:
 * `crypto-profile gm`. Signed with the rest of the body, so a verifier knows which hash the
 * tree uses and that the keys are SM2; checkpoints of the international profile carry none.
 */
export const CRYPTO_PROFILE_EXTENSION = 'crypto-profile'

/** The checkpoint with the deployment's crypto-profile line added when the profile is not the default. */
export function withCryptoProfile(checkpoint: Checkpoint): Checkpoint {
  const { name } = cryptoProfile()
  const extensions = checkpoint.extensions ?? []
  if (name === 'international' || extensions.some((line) => line.startsWith(`${CRYPTO_PROFILE_EXTENSION} `)))
    return checkpoint
  return { ...checkpoint, extensions: [...extensions, `${CRYPTO_PROFILE_EXTENSION} ${name}`] }
}

/**
 * The crypto profile a checkpoint body names (international when it names none), read from the
 * text of a checkpoint or of its signed note before or after its signatures are checked; an
 * unknown profile name answers undefined.
 */
export function checkpointCryptoProfile(text: string): CryptoProfileName | undefined {
  const body = text.includes('\n\n') ? text.slice(0, text.lastIndexOf('\n\n') + 1) : text
  const line = body
    .split('\n')
    .slice(4)
    .find((l) => l.startsWith(`${CRYPTO_PROFILE_EXTENSION} `))
  if (line === undefined) return 'international'
  const name = line.slice(CRYPTO_PROFILE_EXTENSION.length + 1)
  return isCryptoProfileName(name) ? name : undefined
}

const jwsAlgs: readonly string[] = signatureSchemes.map((scheme) => scheme.jwsAlg)

export interface Checkpoint {
  /** Identifies the log; SHOULD equal the signing key's note name. */
  readonly origin: string
  /** Number of leaves. */
  readonly size: number
  /** RFC 9162 root hash of those leaves, 32 bytes. */
  readonly root: Uint8Array
  /** When the log signed this tree head, in milliseconds since the Unix epoch (as RFC 9162 §4.10). */
  readonly timestamp: number
  /** Further extension lines, opaque, each non-empty. */
  readonly extensions?: readonly string[]
}

export type CheckpointFailure =
  /** Not a well-formed signed note / JWS, or the body is not a checkpoint. */
  | 'malformed'
  /** The JWS header is not alg EdDSA, typ tlog-checkpoint+jws, with a kid. */
  | 'unsupported-header'
  /** No key of the pinned set signed it (e.g. re-signed by a foreign key). */
  | 'no-trusted-signature'
  /** A pinned key's signature does not verify: the body was altered, or the signature forged. */
  | 'bad-signature'
  /** It is another log's checkpoint. */
  | 'wrong-origin'
  /** Signed only by pinned keys whose validity window does not contain the checkpoint's timestamp. */
  | 'key-not-valid-at-time'

export type CheckpointVerification =
  | { ok: true; checkpoint: Checkpoint; body: string; signedBy: CheckpointKey[] }
  | { ok: false; reason: CheckpointFailure; message: string; issues?: Issue[] }

export interface CheckpointTrust {
  /** The origin the caller expects (the log it is auditing). */
  origin: string
  /** The keys the caller pinned out of band for that log. */
  keys: KeySet
  /**
   * Witnesses the caller pinned, and how many of them must have cosigned a checkpoint
   * (cosignature.ts) for it to be accepted. Checked by the audit verifier, not by the functions
   * of this file.
   */
  witnesses?: { keys: readonly WitnessKey[]; required: number }
}

/** The checkpoint body (the note text), ending in a newline. Throws TREC_VALIDATION if unwritable. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, timestamp, extensions = [] } = checkpoint
  // A newline inside a field would shift the lines after it and change what the body says.
  const multiline = [origin, ...extensions].findIndex((line) => line.includes('\n'))
  if (multiline !== -1) {
    throw new TrecError('TREC_VALIDATION', 'Not a valid checkpoint.', {
      issues: [
        {
          path: multiline === 0 ? ['origin'] : ['extensions', multiline - 1],
          code: 'newline',
          message: 'one line each',
        },
      ],
    })
  }
  const body = [
    origin,
    String(size),
    Buffer.from(root.buffer, root.byteOffset, root.byteLength).toString('base64'),
    `timestamp ${timestamp}`,
    ...extensions,
  ]
    .map((line) => `${line}\n`)
    .join('')
  // The written form must read back as the same checkpoint: that is the whole validation.
  const issues = bodyIssues(body)
  if (issues.length > 0) throw new TrecError('TREC_VALIDATION', 'Not a valid checkpoint.', { issues })
  return body
}

/** Reads a checkpoint body (the note text). Throws TREC_VALIDATION with one issue per bad line. */
export function parseCheckpoint(body: string): Checkpoint {
  const issues = bodyIssues(body)
  if (issues.length > 0) throw new TrecError('TREC_VALIDATION', 'Not a valid checkpoint.', { issues })
  const [origin, size, root, timestamp, ...extensions] = body.slice(0, -1).split('\n')
  return {
    origin: origin!,
    size: Number(size),
    root: new Uint8Array(decodeBase64Strict(root!)!),
    timestamp: Number(timestamp!.slice('timestamp '.length)),
    extensions,
  }
}

/** The checkpoint as a C2SP signed note, one signature line per signer (several during rotation). */
export async function signCheckpointNote(
  checkpoint: Checkpoint,
  signers: CheckpointSigner | readonly CheckpointSigner[],
): Promise<string> {
  return signNote(
    formatCheckpoint(checkpoint),
    Array.isArray(signers) ? signers : [signers as CheckpointSigner],
  )
}

/**
 * The checkpoint as a compact JWS whose payload is the checkpoint body bytes (RFC 7515 §3.1,
 * written here: JOSE libraries know no SM2, and for Ed25519 the bytes are what jose writes).
 */
export async function signCheckpointJws(checkpoint: Checkpoint, signer: CheckpointSigner): Promise<string> {
  const header = { alg: signer.scheme.jwsAlg, kid: signer.kid, typ: CHECKPOINT_JWS_TYPE }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(formatCheckpoint(checkpoint))}`
  const signature = await signer.sign(new TextEncoder().encode(signingInput))
  return `${signingInput}.${base64url(signature)}`
}

function base64url(data: string | Uint8Array): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).toString('base64url')
}

/** Verifies a signed-note checkpoint against the pinned keys and the expected origin. */
export function verifyCheckpointNote(note: string, trust: CheckpointTrust): CheckpointVerification {
  const opened = verifyNote(note, trust.keys)
  if (!opened.ok) return opened
  return checkBody(opened.text, opened.signedBy, trust)
}

/** Verifies a compact-JWS checkpoint against the pinned keys and the expected origin. */
export async function verifyCheckpointJws(
  jws: string,
  trust: CheckpointTrust,
): Promise<CheckpointVerification> {
  // Base64url leaves unused bits in a part's last character; decoders ignore them, so two
  // spellings carry the same bytes. Only the canonical spelling is accepted: a checkpoint has
  // exactly one valid text (RFC 7515 §2 requires no padding; canonical form closes the rest).
  const parts = jws.split('.')
  if (parts.length !== 3 || parts.some((p) => Buffer.from(p, 'base64url').toString('base64url') !== p))
    return { ok: false, reason: 'malformed', message: 'not a compact JWS in canonical base64url' }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    return { ok: false, reason: 'malformed', message: 'not a compact JWS' }
  }
  if (
    !jwsAlgs.includes(header.alg ?? '') ||
    header.typ !== CHECKPOINT_JWS_TYPE ||
    typeof header.kid !== 'string' ||
    'crit' in header ||
    'b64' in header
  ) {
    return {
      ok: false,
      reason: 'unsupported-header',
      message: `want alg ${jwsAlgs.join(' or ')}, typ ${CHECKPOINT_JWS_TYPE} and a kid`,
    }
  }
  const key = trust.keys.byKid(header.kid)
  if (key === undefined) {
    return { ok: false, reason: 'no-trusted-signature', message: `kid ${header.kid} is not a pinned key` }
  }
  if (header.alg !== key.scheme.jwsAlg) {
    return {
      ok: false,
      reason: 'unsupported-header',
      message: `pinned key ${header.kid} is an ${key.scheme.name} key: want alg ${key.scheme.jwsAlg}`,
    }
  }
  const signature = Buffer.from(parts[2]!, 'base64url')
  const signingInput = new TextEncoder().encode(`${parts[0]}.${parts[1]}`)
  if (
    signature.length !== key.scheme.signatureSize ||
    !key.scheme.verify(signingInput, key.publicKey, signature)
  ) {
    return {
      ok: false,
      reason: 'bad-signature',
      message: `the signature of pinned key ${header.kid} does not verify`,
    }
  }
  const payload: Uint8Array = Buffer.from(parts[1]!, 'base64url')
  let body: string
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(payload)
  } catch {
    return { ok: false, reason: 'malformed', message: 'the payload is not UTF-8' }
  }
  return checkBody(body, [key], trust)
}

/** After a signature verified: is the body a checkpoint of the expected log, signed in time? */
function checkBody(
  body: string,
  verifiedBy: CheckpointKey[],
  trust: CheckpointTrust,
): CheckpointVerification {
  const issues = bodyIssues(body)
  if (issues.length > 0)
    return { ok: false, reason: 'malformed', message: 'the body is not a checkpoint', issues }
  const checkpoint = parseCheckpoint(body)
  if (checkpoint.origin !== trust.origin) {
    return {
      ok: false,
      reason: 'wrong-origin',
      message: `origin is ${checkpoint.origin}, want ${trust.origin}`,
    }
  }
  const signedBy = verifiedBy.filter((key) => isKeyValidAt(key, checkpoint.timestamp))
  if (signedBy.length === 0) {
    return {
      ok: false,
      reason: 'key-not-valid-at-time',
      message: `no key that signed it was valid at ${new Date(checkpoint.timestamp).toISOString()}`,
    }
  }
  return { ok: true, checkpoint, body, signedBy }
}

const decimal = /^(0|[1-9][0-9]*)$/

function bodyIssues(body: string): Issue[] {
  if (!body.endsWith('\n'))
    return [{ path: ['body'], code: 'no_final_newline', message: 'must end in a newline' }]
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!body.isWellFormed() || /[\u0000-\u0009\u000b-\u001f]/.test(body)) {
    return [{ path: ['body'], code: 'control_character', message: 'Unicode text without control characters' }]
  }
  const lines = body.slice(0, -1).split('\n')
  const issues: Issue[] = []
  const bad = (line: number, code: string, message: string) =>
    issues.push({ path: ['line', line], code, message })
  const [origin = '', size = '', root = '', timestamp = ''] = lines
  if (origin.length === 0) bad(1, 'empty_origin', 'the origin line must not be empty')
  if (!decimal.test(size) || !Number.isSafeInteger(Number(size))) {
    bad(2, 'bad_size', 'the tree size is a decimal integer without leading zeros')
  }
  if (decodeBase64Strict(root)?.length !== HASH_SIZE)
    bad(3, 'bad_root', 'the root is 32 bytes in padded base64')
  const time = /^timestamp (0|[1-9][0-9]*)$/.exec(timestamp)
  if (!time || !Number.isSafeInteger(Number(time[1]))) {
    bad(4, 'bad_timestamp', 'line 4 is "timestamp <milliseconds since the epoch>"')
  }
  for (const [i, line] of lines.entries()) {
    if (i >= 4 && line.length === 0) bad(i + 1, 'empty_extension', 'extension lines must not be empty')
  }
  return issues
}
