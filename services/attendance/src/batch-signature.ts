import { entityIdSchema, toIssues } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { cardNumberIssues } from '@trec/fastify-kit'
import { compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose'
import type { z } from 'zod'
import type { DeviceView } from './domain/device.ts'
import type { RecordFaceCheckBatch } from './domain/face-check-batch.ts'
import type { Views } from './views.ts'

// Reading a signed batch: the `kid` in the JWS protected header names the device, the key that
// device registered verifies the signature, and only then is the payload parsed. The algorithm
// is pinned to the one registered with the key (RFC 8725 §3.1: never taken from the token), so
// `none`, HMAC with the public key as secret, or a swap between EdDSA and ES256 cannot pass.

export const acceptedAlgorithms = ['EdDSA', 'ES256'] as const

export type SignedBatch = Pick<RecordFaceCheckBatch, 'signature' | 'signer' | 'batch'>

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'the signature does not match the key'
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return "the algorithm is not the one registered with the device's key"
  if (error instanceof joseErrors.JOSEError) return error.message
  return 'the JWS could not be verified'
}

/** Verifies the JWS against the key registered for the device its `kid` names. Never throws for a bad signature. */
export async function verifyBatch(
  jws: string,
  views: Views,
): Promise<{ signed: SignedBatch; payload?: Uint8Array }> {
  const empty: DeviceView = {}
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    return { signed: { signature: { verified: false, problem: 'not a compact JWS' }, signer: empty } }
  }
  if (header.alg === 'none' || !acceptedAlgorithms.includes(header.alg as never))
    return {
      signed: {
        signature: { verified: false, problem: `algorithm ${String(header.alg)} is not accepted` },
        signer: empty,
      },
    }
  if (typeof header.kid !== 'string' || !entityIdSchema.safeParse(header.kid).success)
    return {
      signed: { signature: { verified: false, problem: 'its header names no device (kid)' }, signer: empty },
    }
  const kid = header.kid
  const { view: signer } = await views.devices.get(kid)
  const registration = signer.registration
  if (!registration) return { signed: { signature: { kid, verified: false }, signer } }
  try {
    const key = await views.keyOf(registration)
    const { payload } = await compactVerify(jws, key, { algorithms: [registration.algorithm] })
    return { signed: { signature: { kid, verified: true }, signer }, payload }
  } catch (error) {
    return { signed: { signature: { kid, verified: false, problem: describe(error) }, signer } }
  }
}

/**
 * The verified payload as a batch, or 400 naming every failing field under `body.jws.payload`.
 * `wellFormed`, when given, answers a batch it is certain is valid without the schema
 * (domain/batch-shape.ts); whatever it does not accept, the schema decides.
 */
export function parseBatch<S extends z.ZodType>(
  payload: Uint8Array,
  schema: S,
  wellFormed?: (json: unknown) => z.output<S> | undefined,
): z.output<S> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload))
  } catch {
    throw new TrecError('TREC_VALIDATION', 'the signed payload is not JSON', {
      issues: [
        { path: ['body', 'jws', 'payload'], code: 'invalid_json', message: 'must be a UTF-8 JSON object' },
      ],
    })
  }
  const accepted = wellFormed?.(json)
  if (accepted !== undefined) return screened(accepted)
  const parsed = schema.safeParse(json)
  if (parsed.success) return screened(parsed.data as z.output<S>)
  throw new TrecError('TREC_VALIDATION', 'the signed batch is invalid', {
    issues: toIssues(parsed.error.issues, ['body', 'jws', 'payload']),
  })
}

/**
 * The request's card-number screen sees only the JWS text, so the decoded batch is screened here:
 * a card number in any of its fields (an id, a content reference) is refused like one in a body.
 */
function screened<T>(batch: T): T {
  const issues = cardNumberIssues(batch, ['body', 'jws', 'payload'])
  if (issues.length > 0)
    throw new TrecError('TREC_VALIDATION', 'a card number was written where none belongs', { issues })
  return batch
}
