// SHA-256 of exactly 65 bytes, the input of an RFC 9162 node hash (0x01 ‖ left ‖ right), as FIPS
// 180-4 computes it: two blocks, the second holding the last byte, the padding and the length.
//
// Why not node:crypto: a one-shot `hash('sha256', …)` of 65 bytes costs about 1.5 µs here, almost
// all of it the call itself (creating and freeing a digest context); this runs in about 0.65 µs
// and allocates only the result. @noble/hashes, a pure JavaScript SHA-256, measured 1.6 µs for
// the same input: its generic update/digest path is the cost. The notary and the offline verifier
// each compute about one node hash per event; for the verifier that was a tenth of its work. The
// property test holds it to node:crypto. Its own export (`@trec/merkle/sha256-65`) lets the
// verifier's threads load it alone.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const INITIAL = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const state = new Int32Array(8)
const w = new Int32Array(64)

/** One block (w[0..15] filled) into `state`. */
function compress(): void {
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15]!
    const b = w[t - 2]!
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

/** SHA-256 of the 65 bytes of `input`. */
export function sha256Of65(input: Uint8Array): Buffer {
  if (input.length !== 65) throw new Error('sha256Of65 hashes exactly 65 bytes')
  state.set(INITIAL)
  for (let i = 0; i < 16; i++)
    w[i] = (input[4 * i]! << 24) | (input[4 * i + 1]! << 16) | (input[4 * i + 2]! << 8) | input[4 * i + 3]!
  compress()
  // The last byte, then 0x80, zeros, and the length in bits (520) in the last word.
  w[0] = (input[64]! << 24) | 0x800000
  w.fill(0, 1, 15)
  w[15] = 65 * 8
  compress()
  const out = Buffer.allocUnsafe(32)
  for (let i = 0; i < 8; i++) out.writeInt32BE(state[i]!, 4 * i)
  return out
}
