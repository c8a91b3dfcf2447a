import type { KeyObject, webcrypto } from 'node:crypto'
import { cryptoProfile, TrecError } from '@trec/core'
import {
  type Checkpoint,
  type CheckpointSigner,
  createCheckpointSigner,
  isKeyValidAt,
  KeySet,
  signCheckpointJws,
  signCheckpointNote,
  withCryptoProfile,
} from '@trec/merkle'
import type { JWK } from 'jose'

// Who signs checkpoints, and the keys the log publishes (README of @trec/merkle, "Rotation").
// Each signing key has a validity window; a checkpoint is signed by every key whose window holds
// its timestamp (during a handover, old and new both sign the note; the JWS, which carries one
// signature, is made by the newest). The published set lists every key that ever signed,
// retired ones included, so old checkpoints stay verifiable; each signing key must be in it with
// the same window, or auditors who pinned the published set could not check what it signs.

type CryptoKey = webcrypto.CryptoKey

export type PrivateKey = KeyObject | CryptoKey

export interface SigningKeyConfig {
  /**
   * The private key: Ed25519 (node:crypto KeyObject, or a WebCrypto CryptoKey with `publicKey`),
   * or SM2 (a KeyObject) under the gm crypto profile.
   */
  privateKey: PrivateKey
  publicKey?: KeyObject | CryptoKey
  /** The note key name; default the log's origin (C2SP: the key name SHOULD be the origin). */
  name?: string
  notBefore: Date
  notAfter?: Date
}

export interface SigningOptions {
  /** The log's origin line, e.g. `audit.example.gov.cn/trec-events`. */
  origin: string
  /** The keys that may sign now or later, each with its window. */
  keys: readonly SigningKeyConfig[]
  /** The published key set (JWKS with windows, as `KeySet.toJwks` writes it); default the signing keys. */
  published?: { keys: readonly JWK[] }
}

export interface Signing {
  origin: string
  published: KeySet
  /** Signs a checkpoint as a signed note (every key valid at its timestamp) and a JWS (the newest). */
  sign(checkpoint: Checkpoint): Promise<{ note: string; jws: string }>
}

interface WindowedSigner {
  signer: CheckpointSigner
  notBefore: Date
  notAfter: Date | undefined
}

export async function resolveSigning(options: SigningOptions): Promise<Signing> {
  const windowed: WindowedSigner[] = []
  for (const key of options.keys) {
    const signer = await createCheckpointSigner({
      name: key.name ?? options.origin,
      privateKey: key.privateKey,
      ...(key.publicKey ? { publicKey: key.publicKey } : {}),
    })
    windowed.push({ signer, notBefore: key.notBefore, notAfter: key.notAfter })
  }
  const profile = cryptoProfile()
  for (const [i, w] of windowed.entries())
    if (w.signer.scheme !== profile.signature)
      throw new TrecError('TREC_VALIDATION', 'A signing key does not belong to the crypto profile.', {
        issues: [
          {
            path: ['signing', 'keys', i, 'privateKey'],
            code: 'wrong_profile',
            message: `the ${profile.name} crypto profile signs checkpoints with ${profile.signature.name} keys, not ${w.signer.scheme.name}`,
          },
        ],
      })
  const published = options.published
    ? await KeySet.fromJwks(options.published)
    : await KeySet.create(
        windowed.map((w) => ({
          name: w.signer.name,
          publicKey: w.signer.publicKey,
          notBefore: w.notBefore,
          ...(w.notAfter ? { notAfter: w.notAfter } : {}),
        })),
      )
  for (const [i, w] of windowed.entries()) {
    const listed = published.byKid(w.signer.kid)
    const same =
      listed !== undefined &&
      listed.name === w.signer.name &&
      listed.notBefore.getTime() === w.notBefore.getTime() &&
      listed.notAfter?.getTime() === w.notAfter?.getTime()
    if (!same)
      throw new TrecError(
        'TREC_VALIDATION',
        'A signing key is not in the published key set with its window.',
        {
          issues: [
            {
              path: ['signing', 'keys', i],
              code: 'not_published',
              message: `key ${w.signer.kid} must be published with the same name, notBefore and notAfter`,
            },
          ],
        },
      )
  }
  return {
    origin: options.origin,
    published,
    async sign(checkpoint) {
      const valid = windowed
        .filter((w) =>
          isKeyValidAt({ ...w.signer, notBefore: w.notBefore, notAfter: w.notAfter }, checkpoint.timestamp),
        )
        .sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime())
      if (valid.length === 0)
        throw new TrecError('TREC_INTERNAL', 'No signing key is valid at the checkpoint time.', {
          details: { timestamp: new Date(checkpoint.timestamp).toISOString() },
        })
      // Under the gm profile the body names it (`crypto-profile gm`); international ones are unchanged.
      const named = withCryptoProfile(checkpoint)
      const note = await signCheckpointNote(
        named,
        valid.map((w) => w.signer),
      )
      const jws = await signCheckpointJws(named, valid[0]!.signer)
      return { note, jws }
    },
  }
}
