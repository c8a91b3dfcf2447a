import { createHash } from 'node:crypto'
import { handleCommand, type RuleViolation, reject } from '@trec/command'
import { TrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import { type Platform, refuseIdempotencyKeyFor, type TokenIssuer } from '@trec/fastify-kit'
import { type TrustedIssuer, verifyAttestation } from '@trec/training'
import { z } from 'zod'

// A worker's sign-in (docs/identity-attestations.md, "A worker's own view"). Workers are not in
// the organisation's staff identity provider, and must not be: what proves who a worker is, is
// the real-name check an identity source the deployment trusts signs (the 电子社保卡 scanned, the
// card read on a device, a face match). So a worker presents that signed attestation here, it is
// checked exactly as enrolment checks it (`verifyAttestation`: pinned issuer and key, method,
// expiry, strict claims), spent on the record (`WorkerSessionOpened`: a second presentation is
// refused), and exchanged for a short-lived token of role `worker` whose subject is the worker's
// pseudonym, signed with this deployment's worker-session key under an issuer of its own. No
// other issuer's token may carry the role (`workerSessions` in @trec/fastify-kit's auth).

export interface WorkerSessionOptions {
  store: EventStore
  issuers: readonly TrustedIssuer[]
  /** Signs worker tokens (issuer: the worker-session issuer). */
  tokens: TokenIssuer
  /** How long a worker token holds, in seconds (default 900). */
  ttlSeconds?: number
  region: string
  clock: () => Date
}

const body = z
  .strictObject({
    attestation: z
      .string()
      .min(1)
      .max(16_384)
      .describe('The compact JWS an identity source signed (`typ: trec-identity+jwt`).'),
  })
  .meta({
    id: 'WorkerSessionRequest',
    description: 'A signed real-name attestation of the worker, as an identity source issued it.',
  })

const answer = z
  .object({
    token: z.string().describe('A bearer access token of role `worker`, for this worker only.'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.int().describe('Seconds the token holds.'),
    worker: z.string().describe('The worker’s pseudonym: the token’s subject.'),
    session: z.string().describe('The WorkerSessionOpened stream’s id: the attestation is spent.'),
  })
  .meta({
    id: 'WorkerSession',
    description: 'A short-lived worker token, bound to the pseudonym the attestation names.',
    example: {
      token: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJyb2xlIjoid29ya2VyIn0.c2lnbmF0dXJl',
      tokenType: 'Bearer',
      expiresIn: 900,
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      session: 'ws-5d1c0a9e2b7f4e3a8c6d1f0b9a2e7c4d5d1c0a9e',
    },
  })

const refuse = (reasons: RuleViolation[]) =>
  new TrecError('TREC_RULE_FAILED', reasons.map((r) => r.message).join('; '), {
    details: { reasons },
    issues: reasons.map((r) => ({ path: ['body', 'attestation'], code: r.rule, message: r.message })),
  })

/** POST /v1/worker-sessions: a signed real-name attestation for a short-lived worker token. */
export function workerSessionRoute(app: Platform, options: WorkerSessionOptions): void {
  const ttl = options.ttlSeconds ?? 900
  app.post(
    '/v1/worker-sessions',
    {
      config: { auth: { public: true } },
      // A token is not an answer to replay: a lost answer needs a new attestation.
      onRequest: refuseIdempotencyKeyFor(
        'a sign-in is not replayed: an Idempotency-Key is refused',
        'an attestation is spent once; a lost answer needs a new one',
      ),
      schema: {
        tags: ['archive'],
        summary: 'A worker signs in with a signed real-name attestation',
        operationId: 'openWorkerSession',
        description:
          'A worker exchanges an identity attestation (实名认证凭证) signed by an identity source the deployment trusts ' +
          'for a short-lived bearer token of role `worker` whose subject is their pseudonym. The attestation is checked ' +
          'as enrolment checks it (issuer and pinned key, method, expiry, claims) and spent on the record ' +
          '(WorkerSessionOpened): a second presentation is refused. Refusals are 422 naming `body.attestation` and ' +
          'the reason; nothing is written. With the token the worker reads their own archive and its access log and ' +
          'files objections, and nothing else.',
        body,
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const now = options.clock()
      const checked = await verifyAttestation(request.body.attestation, { issuers: options.issuers, now })
      if (!checked.ok) throw refuse(checked.reasons)
      const { claims, record } = checked.attestation
      const session = `ws-${createHash('sha256').update(`${record.issuer}\n${claims.jti}`).digest('hex').slice(0, 40)}`
      const expiresAt = new Date(now.getTime() + ttl * 1000)
      try {
        await handleCommand(
          options.store,
          {
            initialState: () => ({ spent: false }),
            evolve: (): { spent: boolean } => ({ spent: true }),
            decide: (_c: null, s) => {
              if (s.spent)
                reject({ rule: 'attestation-spent', message: 'this attestation was already presented' })
              return [
                {
                  type: 'WorkerSessionOpened' as const,
                  data: {
                    session,
                    worker: claims.sub,
                    issuer: record.issuer,
                    method: claims.method,
                    attestationSha256: record.sha256,
                    expiresAt: expiresAt.toISOString(),
                  },
                },
              ]
            },
          },
          {
            stream: `session-${session}`,
            command: null,
            meta: {
              occurredAt: now.toISOString(),
              actor: { kind: 'worker', id: claims.sub },
              source: 'trec.archive',
              region: options.region,
            },
          },
        )
      } catch (error) {
        const reasons = (error as TrecError).details?.reasons as RuleViolation[] | undefined
        if (reasons) throw refuse(reasons)
        throw error
      }
      const token = await options.tokens.mint({ sub: claims.sub, role: 'worker' }, ttl)
      return reply
        .code(201)
        .send({ token, tokenType: 'Bearer' as const, expiresIn: ttl, worker: claims.sub, session })
    },
  )
}
