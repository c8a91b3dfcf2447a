import {
  type Checkpoint,
  type CheckpointTrust,
  KeySet,
  parseVerifierKey,
  parseWitnessKey,
  verifyCheckpointNote,
  type WitnessKey,
} from '@trec/merkle'
import type { JWK } from 'jose'
import { fail } from './failure.ts'

// What the auditor brings: the keys they pinned out of band, and the checkpoints they saw before.

/**
 * Pinned keys from a file: a JWKS as the log publishes it (with `name`, `notBefore`, `notAfter`),
 * or note verifier keys (`name+keyid+base64`), one per line, which carry no validity window and
 * so are trusted at any time.
 */
export async function pinnedKeys(text: string): Promise<KeySet> {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) return KeySet.fromJwks(JSON.parse(trimmed) as { keys: JWK[] })
  const keys = trimmed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => {
      const key = parseVerifierKey(l)
      return { name: key.name, publicKey: key.publicKey, notBefore: new Date(0) }
    })
  return KeySet.create(keys)
}

/** Pinned witnesses: their verifier keys (`name+keyid+base64(0x04 || key)`), one per line. */
export function witnessKeys(text: string): WitnessKey[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map(parseWitnessKey)
}

/** The origin to expect: given, or the one key name all pinned keys share. */
export function trustFor(keys: KeySet, origin?: string): CheckpointTrust {
  if (origin !== undefined) return { origin, keys }
  const names = new Set(keys.keys.map((k) => k.name))
  if (names.size !== 1)
    throw new Error('the pinned keys have several names: say which origin to expect (--origin)')
  return { origin: [...names][0]!, keys }
}

/**
 * Checkpoints seen before, as signed notes one after another (blank lines between them are
 * allowed): each note is its body, a blank line, and its signature lines (starting with "— ").
 */
export function splitNotes(text: string): string[] {
  const notes: string[] = []
  const lines = text.split('\n')
  let i = 0
  while (i < lines.length) {
    while (i < lines.length && lines[i] === '') i += 1
    if (i >= lines.length) break
    const body: string[] = []
    while (i < lines.length && lines[i] !== '') body.push(lines[i++]!)
    i += 1
    const signatures: string[] = []
    while (i < lines.length && lines[i]!.startsWith('\u2014 ')) signatures.push(lines[i++]!)
    notes.push(`${body.join('\n')}\n\n${signatures.join('\n')}\n`)
  }
  return notes
}

/** Verifies each seen checkpoint against the pinned keys. */
export function seenCheckpoints(text: string, trust: CheckpointTrust): Checkpoint[] {
  return splitNotes(text).map((note, i) => {
    const result = verifyCheckpointNote(note, trust)
    if (!result.ok)
      fail(0, 'seen-checkpoint-invalid', `seen checkpoint ${i + 1}: ${result.reason}: ${result.message}`)
    return result.checkpoint
  })
}
