import type { CheckpointSigner } from '@trec/merkle'
import { parseCheckpoint, signCheckpointJws, signCheckpointNote } from '@trec/merkle'
import { prng } from '@trec/readmodels/testing'
import type { FailureReason } from '../src/verify/failure.ts'

// Single mutations of a genuine export (seeded, so every run makes the same ones), each of which
// the offline verifier must reject with one of the reasons listed (and, where the mutation sits
// on one line, naming that line). Mutations: byte flips in events, in leaf indexes and in proofs;
// reordered, deleted and inserted lines; truncation; altered proofs; altered checkpoints and
// header fields; a checkpoint re-signed with a foreign key; altered or missing consistency
// proofs. The export must carry a consistency proof from a checkpoint the verifier has seen.
// Used by the tamper suite (in-process) and by the packaged verifier's test (@trec/verify).

export interface Mutation {
  kind: string
  text: string
  reasons: FailureReason[]
  /** The line the failure must name, when the mutation sits on one line. */
  line?: number
}

export const checkpointFailures: FailureReason[] = [
  'header-malformed',
  'checkpoint-malformed',
  'checkpoint-bad-signature',
  'checkpoint-no-trusted-signature',
  'checkpoint-unsupported-header',
  'checkpoint-mismatch',
  'checkpoint-wrong-origin',
  'checkpoint-key-not-valid-at-time',
]

/**
 * The kinds of mutation, and a maker of one of a kind (undefined when the draw makes none, e.g.
 * two equal lines swapped). `foreign` signs checkpoints with a key the verifier never pinned.
 */
export function exportMutations(base: string, seed: number, foreign: CheckpointSigner) {
  const rand = prng(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const lines = base.slice(0, -1).split('\n')
  const join = (ls: string[]) => `${ls.map((l) => `${l}\n`).join('')}`
  const events = lines.length - 1
  const header = JSON.parse(lines[0]!)
  const eventLine = () => 1 + int(events) // index into `lines` (0 is the header)

  // Lines are compared as bytes: build the mutated file as a Buffer where a flip may make invalid UTF-8.
  const flipBytes = (k: number, from: number, to: number): Buffer => {
    const before = Buffer.from(join(lines.slice(0, k)))
    const line = Buffer.from(lines[k]!)
    line[from + int(to - from)]! ^= 1 << int(8)
    return Buffer.concat([before, line, Buffer.from(`\n${join(lines.slice(k + 1))}`)])
  }
  const withHeader = (h: unknown) => join([JSON.stringify(h), ...lines.slice(1)])
  const proofsOf = (l: string) => JSON.parse(l).proof as string[]
  const withProof = (k: number, proof: string[]) => {
    const l = lines[k]!
    const at = l.lastIndexOf(',"proof":[')
    const copy = [...lines]
    copy[k] = `${l.slice(0, at)},"proof":[${proof.map((p) => `"${p}"`).join(',')}]}`
    return join(copy)
  }
  const randomHash = () => Buffer.from(Array.from({ length: 32 }, () => int(256))).toString('base64')

  const makers: Record<string, () => Mutation | Buffer | undefined> = {
    'byte flip in an event': () => undefined,
    'byte flip in a leaf index': () => undefined,
    'byte flip in a proof': () => undefined,
    'reordered lines': () => {
      const i = eventLine()
      const j = eventLine()
      if (i === j) return undefined
      const copy = [...lines]
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
      return { kind: '', text: join(copy), reasons: ['leaf-order'], line: Math.min(i, j) + 2 }
    },
    'deleted line': () => {
      const k = eventLine()
      return { kind: '', text: join(lines.filter((_, i) => i !== k)), reasons: ['event-count'] }
    },
    'deleted header': () => ({
      kind: '',
      text: join(lines.slice(1)),
      reasons: ['header-malformed'],
      line: 1,
    }),
    'inserted copy of a line': () => {
      const k = eventLine()
      const at = 1 + int(events + 1)
      const copy = [...lines]
      copy.splice(at, 0, lines[k]!)
      return { kind: '', text: join(copy), reasons: ['leaf-order'] }
    },
    'inserted garbage line': () => {
      const copy = [...lines]
      copy.splice(
        1 + int(events + 1),
        0,
        ['', '{}', '{"event":{},"index":0,"proof":[]}', 'null', '[1,2]'][int(5)]!,
      )
      return { kind: '', text: join(copy), reasons: ['line-malformed', 'leaf-order', 'inclusion-failed'] }
    },
    truncation: () => {
      const cut = int(base.length)
      const text = base.slice(0, cut)
      const atLineEnd = cut === 0 || base[cut - 1] === '\n'
      return {
        kind: '',
        text,
        reasons:
          cut === 0 ? ['header-malformed'] : atLineEnd ? ['event-count'] : ['truncated', 'header-malformed'],
      }
    },
    'altered proof hash': () => {
      const k = eventLine()
      const proof = proofsOf(lines[k]!)
      if (proof.length === 0) return undefined
      proof[int(proof.length)] = randomHash()
      return { kind: '', text: withProof(k, proof), reasons: ['inclusion-failed'], line: k + 1 }
    },
    'proof hash dropped': () => {
      const k = eventLine()
      const proof = proofsOf(lines[k]!)
      if (proof.length === 0) return undefined
      proof.splice(int(proof.length), 1)
      return { kind: '', text: withProof(k, proof), reasons: ['inclusion-failed'], line: k + 1 }
    },
    'proof hash added': () => {
      const k = eventLine()
      const proof = proofsOf(lines[k]!)
      proof.splice(int(proof.length + 1), 0, randomHash())
      return { kind: '', text: withProof(k, proof), reasons: ['inclusion-failed'], line: k + 1 }
    },
    'proof of another leaf': () => {
      const k = eventLine()
      const j = eventLine()
      if (proofsOf(lines[k]!).join() === proofsOf(lines[j]!).join()) return undefined
      return {
        kind: '',
        text: withProof(k, proofsOf(lines[j]!)),
        reasons: ['inclusion-failed'],
        line: k + 1,
      }
    },
    'altered character in the checkpoint note': () => {
      const note = [...(header.checkpoint.note as string)]
      const at = int(note.length)
      const replacement = String.fromCharCode(32 + int(95))
      if (replacement === note[at]) return undefined
      note[at] = replacement
      return {
        kind: '',
        text: withHeader({ ...header, checkpoint: { ...header.checkpoint, note: note.join('') } }),
        reasons: checkpointFailures,
        line: 1,
      }
    },
    'byte flip in the checkpoint JWS': () => {
      const jws = [...(header.checkpoint.jws as string)]
      const at = int(jws.length)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
      const replacement = alphabet[int(alphabet.length)]!
      if (replacement === jws[at]) return undefined
      jws[at] = replacement
      return {
        kind: '',
        text: withHeader({ ...header, checkpoint: { ...header.checkpoint, jws: jws.join('') } }),
        reasons: checkpointFailures,
        line: 1,
      }
    },
    'checkpoint size changed': () => {
      const size = header.checkpoint.size + 1 + int(5)
      return {
        kind: '',
        text: withHeader({ ...header, checkpoint: { ...header.checkpoint, size } }),
        reasons: ['checkpoint-mismatch'],
        line: 1,
      }
    },
    'events count changed': () => {
      const n = Math.max(0, header.events + (int(2) === 0 ? -1 - int(3) : 1 + int(3)))
      return { kind: '', text: withHeader({ ...header, events: n }), reasons: ['event-count'] }
    },
    'leaf digest changed': () => {
      const digest = [...(header.leafIndexDigest as string)]
      const at = int(64)
      digest[at] = digest[at] === 'a' ? 'b' : 'a'
      return {
        kind: '',
        text: withHeader({ ...header, leafIndexDigest: digest.join('') }),
        reasons: ['leaf-digest'],
      }
    },
    'selection changed': () => ({
      kind: '',
      text: withHeader({ ...header, selection: { kind: 'class', class: `cls-other-${int(1000)}` } }),
      reasons: ['selection-mismatch'],
    }),
    'consistency proof altered': () => {
      const consistency = structuredClone(header.consistency) as { proof: string[] }[]
      const proof = consistency[0]!.proof
      proof[int(proof.length)] = randomHash()
      return {
        kind: '',
        text: withHeader({ ...header, consistency }),
        reasons: ['consistency-failed'],
        line: 1,
      }
    },
    'consistency proof removed': () => ({
      kind: '',
      text: withHeader({ ...header, consistency: [] }),
      reasons: ['consistency-missing'],
      line: 1,
    }),
    'checkpoint re-signed with a foreign key': () => undefined,
  }
  const kinds = Object.keys(makers)
  const body = parseCheckpoint(
    header.checkpoint.note.slice(0, header.checkpoint.note.lastIndexOf('\n\n') + 1),
  )

  const make = async (kind: string): Promise<Mutation | undefined> => {
    if (kind === 'checkpoint re-signed with a foreign key') {
      // Same body, or a forged root, signed by a key the auditor never pinned.
      const forged = int(2) === 0 ? body : { ...body, root: Buffer.from(randomHash(), 'base64') }
      const note = await signCheckpointNote(forged, foreign)
      const jws = await signCheckpointJws(forged, foreign)
      return {
        kind,
        text: withHeader({ ...header, checkpoint: { ...header.checkpoint, note, jws } }),
        reasons: ['checkpoint-no-trusted-signature'],
        line: 1,
      }
    }
    if (kind.startsWith('byte flip in a')) {
      const k = eventLine()
      const l = lines[k]!
      const indexAt = l.lastIndexOf(',"index":')
      const proofAt = l.lastIndexOf(',"proof":[')
      const region =
        kind === 'byte flip in an event'
          ? [9, indexAt]
          : kind === 'byte flip in a leaf index'
            ? [indexAt + 9, proofAt]
            : [proofAt + 10, l.length - 2]
      if (region[1]! <= region[0]!) return undefined
      const text = flipBytes(k, region[0]!, region[1]!)
      const reasons: FailureReason[] =
        kind === 'byte flip in an event'
          ? ['inclusion-failed', 'line-malformed']
          : kind === 'byte flip in a leaf index'
            ? ['line-malformed', 'leaf-order', 'leaf-out-of-range', 'inclusion-failed']
            : ['line-malformed', 'inclusion-failed']
      return { kind, text: text as unknown as string, reasons, line: k + 1 }
    }
    const made = makers[kind]!()
    return made && 'reasons' in made ? { ...made, kind } : undefined
  }

  return { kinds, make }
}
