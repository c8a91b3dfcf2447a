// C2SP signed-note (https://c2sp.org/signed-note), Ed25519 or SM2 signatures (the key's scheme):
//
//   <text, ending in a newline>
//   <blank line>
//   — <key name> <base64(4-byte key ID || 64-byte signature over the text)>
//   ...more signature lines
//
// The signed bytes are the UTF-8 text including its final newline, not the blank line. The text
// ends at the last blank line of the note. Verification follows the spec: signatures from unknown
// keys (name and key ID not both matching a pinned key) are ignored, a known key whose signature
// fails rejects the whole note, and at least one known key must verify.

import { type Issue, TrecError } from '@trec/core'
import { type CheckpointKey, type CheckpointSigner, decodeBase64Strict, type KeySet } from './keys.ts'

/** Signed notes must accept at least 16 signatures (C2SP); more than this is refused. */
export const MAX_NOTE_SIGNATURES = 64

const EM_DASH = '\u2014'

export type NoteFailure = 'malformed' | 'no-trusted-signature' | 'bad-signature'

export type NoteVerification =
  | { ok: true; text: string; signedBy: CheckpointKey[] }
  | { ok: false; reason: NoteFailure; message: string; issues?: Issue[] }

/** Signs `text` (which must end in a newline) with every signer, one signature line each. */
export async function signNote(text: string, signers: readonly CheckpointSigner[]): Promise<string> {
  const issues = textIssues(text)
  if (signers.length === 0)
    issues.push({ path: ['signers'], code: 'required', message: 'at least one signer' })
  if (issues.length > 0) throw new TrecError('TREC_VALIDATION', 'Cannot sign this note.', { issues })
  const message = new TextEncoder().encode(text)
  const lines: string[] = []
  for (const signer of signers) {
    const signature = await signer.sign(message)
    const blob = Buffer.concat([Buffer.from(signer.noteKeyId, 'hex'), signature]).toString('base64')
    lines.push(`${EM_DASH} ${signer.name} ${blob}\n`)
  }
  return `${text}\n${lines.join('')}`
}

/** Opens a signed note against a pinned key set; returns the text and the keys that signed it. */
export function verifyNote(note: string, keys: KeySet): NoteVerification {
  const parsed = parseNote(note)
  if (!parsed.ok)
    return { ok: false, reason: 'malformed', message: 'the signed note is malformed', issues: parsed.issues }
  const message = new TextEncoder().encode(parsed.text)
  const signedBy: CheckpointKey[] = []
  for (const { name, keyId, signature } of parsed.signatures) {
    for (const key of keys.forNoteSignature(name, keyId)) {
      if (
        signature.length !== key.scheme.signatureSize ||
        !key.scheme.verify(message, key.publicKey, signature)
      ) {
        return {
          ok: false,
          reason: 'bad-signature',
          message: `the signature of pinned key ${name}+${keyId} does not verify`,
        }
      }
      if (!signedBy.includes(key)) signedBy.push(key)
    }
  }
  if (signedBy.length === 0) {
    return { ok: false, reason: 'no-trusted-signature', message: 'no pinned key signed this note' }
  }
  return { ok: true, text: parsed.text, signedBy }
}

export interface ParsedSignature {
  name: string
  keyId: string
  signature: Buffer
}

export function parseNote(
  note: string,
): { ok: true; text: string; signatures: ParsedSignature[] } | { ok: false; issues: Issue[] } {
  const issue = (path: (string | number)[], code: string, message: string) => ({
    ok: false as const,
    issues: [{ path, code, message }],
  })
  if (!note.isWellFormed()) return issue(['note'], 'invalid_utf8', 'the note is not valid Unicode text')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) {
    return issue(['note'], 'control_character', 'a note contains no control characters but newline')
  }
  const split = note.lastIndexOf('\n\n')
  if (split === -1) return issue(['note'], 'no_signatures', 'no blank line separates text and signatures')
  const text = note.slice(0, split + 1)
  const block = note.slice(split + 2)
  if (!block.endsWith('\n'))
    return issue(['signatures'], 'no_final_newline', 'the note must end in a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) {
    return issue(['signatures'], 'too_many', `more than ${MAX_NOTE_SIGNATURES} signatures`)
  }
  const signatures: ParsedSignature[] = []
  for (const [i, line] of lines.entries()) {
    const match = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line)
    const blob = match ? decodeBase64Strict(match[2]!) : undefined
    if (!match || blob === undefined || blob.length < 5) {
      return issue(
        ['signatures', i],
        'bad_signature_line',
        'want "— <key name> <base64(key ID || signature)>"',
      )
    }
    signatures.push({
      name: match[1]!,
      keyId: blob.subarray(0, 4).toString('hex'),
      signature: blob.subarray(4),
    })
  }
  const issues = textIssues(text)
  return issues.length > 0 ? { ok: false, issues } : { ok: true, text, signatures }
}

function textIssues(text: string): Issue[] {
  if (text.length === 0 || !text.endsWith('\n')) {
    return [
      {
        path: ['text'],
        code: 'no_final_newline',
        message: 'the text must be non-empty and end in a newline',
      },
    ]
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!text.isWellFormed() || /[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    return [
      {
        path: ['text'],
        code: 'control_character',
        message: 'the text must be Unicode without control characters',
      },
    ]
  }
  return []
}
