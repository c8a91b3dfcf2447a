import { createHash } from 'node:crypto'
import { TrecError, uuidv7, uuidv8Of } from '@trec/core'
import type { SqlExecutor } from '@trec/eventstore'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { idempotencyClaims } from './idempotency-claims.ts'
import { principalKey } from './principal.ts'

export interface IdempotencyOptions {
  db: SqlExecutor
  /** Schema of the idempotency table (default `trec_http`). */
  schema?: string
  /** After this long an unfinished request (its process died) no longer blocks a retry. */
  abandonAfterMs?: number
  /** Only this process uses the table (embedded mode): what an earlier run left unfinished is abandoned now. */
  releaseAtStart?: boolean
}

interface Claim {
  caller: string
  key: string
  /**
   * This request took over the key from an earlier attempt that never recorded its answer (its
   * process died, or the database went away, after it may have appended its events).
   */
  resumed: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim
  }
}

const keyPattern = /^[A-Za-z0-9_.:-]{1,128}$/
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Who is asking: keys are scoped to the whole principal (issuer, subject, client, role, region,
 * institution), so two tokens that share a subject cannot collide or replay each other's answers.
 * A stored answer is therefore only ever replayed to a token with the very scope the request was
 * authorized for when it ran; the role check runs before this hook on every request.
 */
function callerOf(request: FastifyRequest): string {
  const p = request.principal
  return p ? principalKey(p) : 'anonymous'
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex')
}

/**
 * The ids of a command's events, drawn in order. `resumed` is set when the request retries an
 * attempt that may have appended events with these very ids but never answered: the command
 * should then look for them (`@trec/command`'s `appendedBefore`) and answer from them.
 */
export type CommandIds = (() => string) & { readonly resumed?: boolean }

/**
 * Event ids for a command: derived from the caller and its Idempotency-Key when there is one
 * (UUIDv8, RFC 9562 §5.8), so that even two racing copies of one request append the same
 * events and the store keeps one; otherwise fresh UUIDv7s.
 */
export function commandEventIds(request: FastifyRequest): CommandIds {
  const claim = request.idempotency
  if (!claim) return () => uuidv7()
  let n = 0
  const next = () => uuidv8Of(`${claim.caller}\n${claim.key}\n${n++}`)
  return Object.assign(next, { resumed: claim.resumed })
}

/** One id for a command that appends one event (and uses the id for it, too), keeping `resumed`. */
export function singleEventId(request: FastifyRequest): CommandIds {
  const ids = commandEventIds(request)
  const id = ids()
  return Object.assign(() => id, { resumed: ids.resumed })
}

/**
 * `Idempotency-Key` on unsafe methods: the first request with a key runs and its response is
 * kept; a retry with the same key and the same request gets that response again (with
 * `Idempotent-Replayed: true`) and runs nothing; the same key with a different request is
 * refused. A response of 5xx is not kept, so the retry runs, as a resumed attempt (see above).
 */
export const idempotencyPlugin = fp(
  async (app: FastifyInstance, options: IdempotencyOptions) => {
    const schema = options.schema ?? 'trec_http'
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`)
    const table = `"${schema}".idempotency`
    const abandonAfter = `${Math.round((options.abandonAfterMs ?? 60_000) / 1000)} seconds`
    await options.db.script(`select pg_advisory_xact_lock(7406004);
      create schema if not exists "${schema}";
      create table if not exists ${table} (
        caller text not null, key text not null, request_hash text not null,
        status int, content_type text, body text,
        created_at timestamptz not null default now(),
        primary key (caller, key));`)
    const claims = idempotencyClaims(options.db, table, abandonAfter)
    if (options.releaseAtStart)
      await options.db.query(`update ${table} set created_at = '-infinity' where status is null`)

    app.decorateRequest('idempotency', undefined)
    app.addHook('preHandler', async (request, reply) => {
      const header = request.headers['idempotency-key']
      if (header === undefined || !unsafe.has(request.method)) return
      const key = Array.isArray(header) ? header[0]! : header
      if (!keyPattern.test(key))
        throw new TrecError('TREC_VALIDATION', 'invalid Idempotency-Key', {
          issues: [
            {
              path: ['headers', 'idempotency-key'],
              code: 'invalid_format',
              message: 'must match [A-Za-z0-9_.:-]{1,128}',
            },
          ],
        })
      const caller = callerOf(request)
      const hash = requestHash(request)
      const claimed = await claims.claim({ caller, key, hash })
      if (claimed) {
        request.idempotency = { caller, key, resumed: claimed.resumed }
        return
      }
      const [row] = await options.db.query<{
        request_hash: string
        status: number | null
        content_type: string
        body: string
      }>(`select request_hash, status, content_type, body from ${table} where caller = $1 and key = $2`, [
        caller,
        key,
      ])
      if (!row || row.request_hash !== hash)
        throw new TrecError(
          'TREC_IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used for a different request',
        )
      if (row.status === null)
        throw new TrecError(
          'TREC_IDEMPOTENCY_IN_PROGRESS',
          'a request with this Idempotency-Key is still running',
          {
            canRetry: true,
          },
        )
      return reply
        .code(row.status)
        .header('idempotent-replayed', 'true')
        .type(row.content_type)
        .send(row.body)
    })
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency
      if (!claim) return payload
      // A 5xx is not kept, but the key stays claimed and is marked abandoned at once: the attempt
      // may have committed its events before failing, so the retry (same request only) takes the
      // key over as a resumed attempt and answers from what this one stored.
      if (reply.statusCode >= 500)
        await options.db.query(
          `update ${table} set created_at = '-infinity' where caller = $1 and key = $2 and status is null`,
          [claim.caller, claim.key],
        )
      else
        await options.db.query(
          `update ${table} set status = $3, content_type = $4, body = $5 where caller = $1 and key = $2`,
          [
            claim.caller,
            claim.key,
            reply.statusCode,
            String(reply.getHeader('content-type') ?? 'application/json'),
            String(payload),
          ],
        )
      return payload
    })
  },
  { name: 'trec-idempotency', fastify: '5.x', dependencies: ['trec-auth'] },
)
