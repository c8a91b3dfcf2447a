// The console's verifier: checks, in the browser, what the audit log hands out — a signed
// checkpoint against the pinned note verifier key, an inclusion proof, a consistency proof
// between two signed checkpoints, and an export (every event's leaf hash and inclusion proof
// against the export's checkpoint). The formats are @trec/merkle's (C2SP signed note and
// checkpoint, RFC 9162 hashes and proofs) and the audit service's export (services/audit
// README); the failure reasons are trec-verify's, so both name a failure the same way. It is a
// small second implementation on purpose: the browser cannot load the Node verifier, and the
// unit test checks this one against it on the same data. What it leaves to trec-verify: key
// validity windows, witness cosignatures, evidence order, selection and fold replay.
//
// Both crypto profiles (@trec/core crypto-profile.ts): international (SHA-256 tree, Ed25519
// signatures) with WebCrypto; gm (SM3 tree, SM2 signatures with SM3 and the standard user id)
// with sm-crypto-v2, loaded only when the pinned key is an SM2 key (WebCrypto has neither). The
// tree's hash is the one the checkpoint names in its signed `crypto-profile` line, and the
// pinned key must be of that profile, as trec-verify has it.
// Runs unchanged in Node 20+ (globalThis.crypto), which is how the test loads it.

const enc = new TextEncoder()
const subtle = globalThis.crypto.subtle

export class VerifyError extends Error {
  /** @param {string} reason @param {string} message @param {number} [line] */
  constructor(reason, message, line) {
    super(message)
    this.reason = reason
    this.line = line
  }
}

/** @param {string} text */
export function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64')
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/** @param {Uint8Array} bytes */
const toHex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
/** @param {string} hex */
const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))

/** @type {Promise<typeof import('sm-crypto-v2')> | undefined} */
let smCrypto
/** sm-crypto-v2, the page's import map names it; fetched the first time a gm key is pinned. */
const gm = () => {
  smCrypto ??= import('sm-crypto-v2')
  return smCrypto
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    all.set(p, at)
    at += p.length
  }
  return all
}

/** The two hashes of the profiles, each of some byte strings joined. */
const hashes = {
  /** @param {Uint8Array[]} parts */
  sha256: async (...parts) => new Uint8Array(await subtle.digest('SHA-256', concat(parts))),
  /** @param {Uint8Array[]} parts */
  sm3: async (...parts) => fromHex((await gm()).sm3(concat(parts))),
}

/** SM2 signatures hash Z_A over this distinguishing identifier (GM/T 0009's default). */
const SM2_USER_ID = '1234567812345678'

/**
 * The signature schemes: the note signature type bytes, the raw public key size, the hash of
 * key IDs, the JWS alg, the profile a checkpoint signed with the scheme names, and its tree hash.
 */
const schemes = [
  {
    name: 'Ed25519',
    noteType: Uint8Array.of(1),
    keySize: 32,
    idHash: 'sha256',
    jwsAlg: 'EdDSA',
    profile: 'international',
    /** @param {Uint8Array} raw */
    async load(raw) {
      const key = await subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify'])
      return (/** @type {Uint8Array} */ signature, /** @type {Uint8Array} */ message) =>
        subtle.verify('Ed25519', key, signature, message)
    },
  },
  {
    name: 'SM2',
    noteType: Uint8Array.of(0xff, ...enc.encode('trec/sm2-sm3')),
    keySize: 65,
    idHash: 'sm3',
    jwsAlg: 'SM2SM3',
    profile: 'gm',
    /** @param {Uint8Array} raw */
    async load(raw) {
      const { sm2 } = await gm()
      if (raw[0] !== 4 || !sm2.verifyPublicKey(toHex(raw))) throw new Error('not an SM2 point')
      const point = toHex(raw)
      return async (/** @type {Uint8Array} */ signature, /** @type {Uint8Array} */ message) => {
        try {
          return sm2.doVerifySignature(message, toHex(signature), point, {
            hash: true,
            der: false,
            userId: SM2_USER_ID,
          })
        } catch {
          return false
        }
      }
    },
  },
]

/** The tree hash of each profile a checkpoint may name. */
const treeHashes = { international: 'sha256', gm: 'sm3' }

/**
 * RFC 9162 leaf hash: HASH(0x00 || leaf), SHA-256 or SM3.
 * @param {Uint8Array} leaf @param {'sha256' | 'sm3'} [hash]
 */
export const leafHash = (leaf, hash = 'sha256') => hashes[hash](Uint8Array.of(0), leaf)
/** @param {Uint8Array} left @param {Uint8Array} right @param {'sha256' | 'sm3'} hash */
const nodeHash = (left, right, hash) => hashes[hash](Uint8Array.of(1), left, right)

/** @param {Uint8Array} a @param {Uint8Array} b */
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * A pinned note verifier key, `<name>+<hex key ID>+<base64(type || public key)>`: an Ed25519
 * key (type 0x01, 32 bytes) or an SM2 key (type 0xff "trec/sm2-sm3", a 65-byte point).
 * @param {string} text
 */
export async function pinKey(text) {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim())
  let raw = new Uint8Array(0)
  try {
    if (match) raw = fromBase64(match[3])
  } catch {}
  const scheme = schemes.find(
    (s) => raw.length === s.noteType.length + s.keySize && s.noteType.every((b, i) => raw[i] === b),
  )
  if (!match || !scheme)
    throw new VerifyError('key-malformed', 'not an Ed25519 or SM2 note verifier key (name+id+key)')
  const name = match[1]
  const id = await hashes[scheme.idHash](enc.encode(name), Uint8Array.of(0x0a), raw)
  if (toHex(id.subarray(0, 4)) !== match[2])
    throw new VerifyError('key-malformed', 'the key ID does not match the name and key')
  let verify
  try {
    verify = await scheme.load(raw.subarray(scheme.noteType.length))
  } catch {
    throw new VerifyError('key-malformed', `not a usable ${scheme.name} public key`)
  }
  return {
    name,
    keyId: match[2],
    scheme: scheme.name,
    profile: scheme.profile,
    jwsAlg: scheme.jwsAlg,
    verify,
  }
}

/**
 * Opens a checkpoint's signed note against the pinned key; returns the checkpoint.
 * @param {string} note
 * @param {import('./verify.d.ts').Trust} trust
 */
export async function verifyCheckpoint(note, trust) {
  const fail = (/** @type {string} */ reason, /** @type {string} */ message) => {
    throw new VerifyError(`checkpoint-${reason}`, message)
  }
  const split = note.lastIndexOf('\n\n')
  if (split < 0 || !note.endsWith('\n')) fail('malformed', 'the signed note has no signature lines')
  const text = note.slice(0, split + 1)
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 4 || !/^[1-9][0-9]*$|^0$/.test(lines[1]) || !/^timestamp [0-9]+$/.test(lines[3]))
    fail('malformed', 'the note text is not a checkpoint (origin, size, root, timestamp)')
  // The tree's hash is the one the checkpoint names (signed with the rest): gm, else international.
  const named = lines.slice(4).find((line) => line.startsWith('crypto-profile '))
  const profile = named === undefined ? 'international' : named.slice('crypto-profile '.length)
  if (!Object.hasOwn(treeHashes, profile)) fail('malformed', 'the checkpoint names an unknown crypto profile')
  let root = new Uint8Array(0)
  try {
    root = fromBase64(lines[2])
  } catch {}
  if (root.length !== 32) fail('malformed', 'the root hash is not 32 bytes of base64')
  let trusted = false
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const sig = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line)
    if (!sig) fail('malformed', 'a signature line is not "— name signature"')
    const blob = fromBase64(sig[2])
    if (sig[1] !== trust.key.name || toHex(blob.subarray(0, 4)) !== trust.key.keyId) continue
    const ok = blob.length === 68 && (await trust.key.verify(blob.subarray(4), enc.encode(text)))
    if (!ok)
      fail(
        'bad-signature',
        `the signature of pinned key ${trust.key.name} does not verify: the checkpoint was altered`,
      )
    trusted = true
  }
  if (!trusted) fail('no-trusted-signature', 'the pinned key did not sign this checkpoint')
  if (profile !== trust.key.profile)
    fail('malformed', `the ${profile} crypto profile is not signed with ${trust.key.scheme} keys`)
  if (lines[0] !== trust.origin)
    fail('wrong-origin', `the checkpoint is of log ${lines[0]}, not ${trust.origin}`)
  return {
    origin: lines[0],
    size: Number(lines[1]),
    root,
    timestamp: Number(lines[3].slice(10)),
    hash: treeHashes[profile],
  }
}

/** @param {string} text */
function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url')
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  return fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
}

/**
 * The checkpoint's compact JWS (alg EdDSA, or SM2SM3 for an SM2 key; typ tlog-checkpoint+jws)
 * must carry the same text as its signed note, signed by the pinned key.
 * @param {string} jws @param {string} note @param {{key: import('./verify.d.ts').PinnedKey}} trust
 */
export async function verifyCheckpointJws(jws, note, trust) {
  const parts = String(jws).split('.')
  let header
  let payload = new Uint8Array(0)
  let signature = new Uint8Array(0)
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(parts[0])))
    payload = fromBase64url(parts[1])
    signature = fromBase64url(parts[2])
  } catch {}
  if (parts.length !== 3 || !header)
    throw new VerifyError('checkpoint-malformed', 'the JWS is not a compact JWS')
  if (
    header.alg !== trust.key.jwsAlg ||
    header.typ !== 'tlog-checkpoint+jws' ||
    typeof header.kid !== 'string'
  )
    throw new VerifyError(
      'checkpoint-unsupported-header',
      `the JWS header is not ${trust.key.jwsAlg}, tlog-checkpoint+jws, with a kid`,
    )
  const signed = enc.encode(`${parts[0]}.${parts[1]}`)
  if (signature.length !== 64 || !(await trust.key.verify(signature, signed)))
    throw new VerifyError('checkpoint-bad-signature', 'the JWS signature does not verify with the pinned key')
  if (new TextDecoder().decode(payload) !== note.slice(0, note.lastIndexOf('\n\n') + 1))
    throw new VerifyError('checkpoint-mismatch', 'the JWS and the signed note carry different checkpoints')
}

/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash.
 * @param {number} index @param {number} size @param {Uint8Array} leaf @param {Uint8Array[]} proof
 * @param {'sha256' | 'sm3'} [hash]
 */
export async function rootFromInclusion(index, size, leaf, proof, hash = 'sha256') {
  if (index >= size) return undefined
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r, hash)
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)]
    } else r = await nodeHash(r, p, hash)
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : undefined
}

/**
 * RFC 9162 §2.1.4.2: true if `proof` shows the tree of `first` leaves (root `firstRoot`) is a
 * prefix of the tree of `second` leaves (root `secondRoot`), under the tree hash `hash`.
 */
export async function consistencyHolds(first, second, firstRoot, secondRoot, proof, hash = 'sha256') {
  if (first > second) return false
  if (first === second) return proof.length === 0 && same(firstRoot, secondRoot)
  if (first === 0 || proof.length === 0) return false
  let path = proof
  if ((first & (first - 1)) === 0) path = [firstRoot, ...proof]
  if (path.length === 0) return false
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)]
  let fr = path[0]
  let sr = path[0]
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr, hash)
      sr = await nodeHash(c, sr, hash)
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)]
    } else sr = await nodeHash(sr, c, hash)
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot)
}

/** @param {string[]} proof */
function decodeProof(proof, reason, line) {
  try {
    if (!Array.isArray(proof)) throw new Error('no proof')
    const nodes = proof.map(fromBase64)
    if (nodes.some((n) => n.length !== 32)) throw new Error('not 32 bytes')
    return nodes
  } catch {
    throw new VerifyError(reason, 'a proof hash is not 32 bytes of base64', line)
  }
}

/**
 * An inclusion proof answer (GET /v1/audit/proofs/inclusion) against its signed checkpoint.
 * The leaf hash is the server's word unless `leaf` (the event's leaf bytes) is given.
 */
export async function verifyInclusionAnswer(answer, trust, leaf) {
  if (!answer?.checkpoint?.note)
    throw new VerifyError('proof-malformed', 'the answer has no signed checkpoint')
  const checkpoint = await verifyCheckpoint(answer.checkpoint.note, trust)
  if (checkpoint.size !== answer.treeSize)
    throw new VerifyError('checkpoint-mismatch', "the checkpoint is not of the proof's tree size")
  const hash = leaf ? await leafHash(leaf, checkpoint.hash) : fromBase64(answer.leafHash)
  const root = await rootFromInclusion(
    answer.leafIndex,
    answer.treeSize,
    hash,
    decodeProof(answer.proof, 'proof-malformed'),
    checkpoint.hash,
  )
  if (!root || !same(root, checkpoint.root))
    throw new VerifyError(
      'inclusion-failed',
      `the proof does not lead from leaf ${answer.leafIndex} to the signed root`,
    )
  return { checkpoint, leafIndex: answer.leafIndex }
}

/**
 * A consistency proof answer between two checkpoints the caller verified: the roots compared
 * are the signed ones, not the answer's `fromRoot`/`toRoot`.
 */
export async function verifyConsistencyAnswer(answer, older, newer) {
  if (answer.from !== older.size || answer.to !== newer.size || older.hash !== newer.hash)
    throw new VerifyError('proof-malformed', 'the proof is not between these two checkpoints')
  const proof = decodeProof(answer.proof, 'proof-malformed')
  if (!(await consistencyHolds(older.size, newer.size, older.root, newer.root, proof, newer.hash)))
    throw new VerifyError(
      'consistency-failed',
      `the tree of ${newer.size} leaves does not extend the tree of ${older.size}: the log was rewritten`,
    )
  return { from: older.size, to: newer.size }
}

const EVENT_HEAD = '{"event":'
const INDEX_KEY = ',"index":'

/**
 * An export (NDJSON text): the header's checkpoint against the pinned key, then each event
 * line's leaf (its bytes as they stand in the line) and inclusion proof against that
 * checkpoint, leaf indexes strictly increasing, and as many events as the header announces.
 * @param {string} text
 * @param {import('./verify.d.ts').Trust} trust
 * @param {(done: number) => void} [onProgress]
 */
export async function verifyExportText(text, trust, onProgress) {
  if (!text.endsWith('\n')) throw new VerifyError('truncated', 'the file ends in the middle of a line')
  const lines = text.slice(0, -1).split('\n')
  let header
  try {
    header = JSON.parse(lines[0])
  } catch {}
  if (!header?.checkpoint?.note || !Number.isSafeInteger(header.events))
    throw new VerifyError('header-malformed', 'line 1 is not an export header', 1)
  let checkpoint
  try {
    checkpoint = await verifyCheckpoint(header.checkpoint.note, trust)
    await verifyCheckpointJws(header.checkpoint.jws, header.checkpoint.note, trust)
  } catch (error) {
    if (error instanceof VerifyError) error.line = 1
    throw error
  }
  if (checkpoint.size !== header.checkpoint.size)
    throw new VerifyError('checkpoint-mismatch', 'the header names another size than its checkpoint', 1)
  let last = -1
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]
    const at = n + 1
    const split = line.lastIndexOf(INDEX_KEY)
    let parsed
    try {
      parsed = JSON.parse(line)
    } catch {}
    if (!line.startsWith(EVENT_HEAD) || split < 0 || !parsed || !Number.isSafeInteger(parsed.index))
      throw new VerifyError('line-malformed', 'not {"event":…,"index":…,"proof":[…]}', at)
    const { index } = parsed
    if (index <= last) throw new VerifyError('leaf-order', `leaf ${index} does not follow leaf ${last}`, at)
    if (index >= checkpoint.size)
      throw new VerifyError(
        'leaf-out-of-range',
        `leaf ${index} is not below the tree size ${checkpoint.size}`,
        at,
      )
    const leaf = enc.encode(line.slice(EVENT_HEAD.length, split))
    const root = await rootFromInclusion(
      index,
      checkpoint.size,
      await leafHash(leaf, checkpoint.hash),
      decodeProof(parsed.proof, 'line-malformed', at),
      checkpoint.hash,
    )
    if (!root || !same(root, checkpoint.root))
      throw new VerifyError(
        'inclusion-failed',
        `the event at leaf ${index} is not in the signed tree: it was altered`,
        at,
      )
    last = index
    if (onProgress && n % 256 === 0) onProgress(n)
  }
  if (lines.length - 1 !== header.events)
    throw new VerifyError(
      'event-count',
      `the header announces ${header.events} events, the export holds ${lines.length - 1}`,
    )
  return { checkpoint, events: header.events, selection: header.selection }
}
