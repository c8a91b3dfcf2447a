import { type Issue, sealSchemeNames, TrecError } from '@trec/core'
import { containsCardNumber } from '@trec/privacy'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// Card numbers must never be stored in clear: they are taken only in fields named `cardNumber`,
// which every route validates and replaces by the worker's pseudonym before anything else sees
// it. Any other field a client fills (titles, findings, reasons, notes, external references,
// client-chosen ids, query and path values) is screened before validation: a value that holds a
// valid card number, however it is spaced, dashed or written in full-width digits, is refused 400
// naming the field, so it can reach neither the event store nor a read model, where shredding a
// worker's key could not reach it. The screen runs after the schema (so a body's other mistakes
// are named too) and before the idempotency record and the handler (so nothing is written).

/** The one field name that carries a card number on purpose. */
const cardField = 'cardNumber'

/** A sealed value (ciphertext) is not text anyone typed. */
const isSealed = (v: object) =>
  (sealSchemeNames as readonly unknown[]).includes((v as { sealed?: unknown }).sealed)

/** Issues for every string under `value` (at `path`) that holds a card number. */
export function cardNumberIssues(value: unknown, path: (string | number)[], out: Issue[] = []): Issue[] {
  if (typeof value === 'string') {
    if (path.at(-1) !== cardField && containsCardNumber(value))
      out.push({
        path,
        code: 'card_number_in_text',
        message: `holds a card number: write it only in a ${cardField} field`,
      })
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) cardNumberIssues(v, [...path, i], out)
  } else if (value !== null && typeof value === 'object' && !isSealed(value))
    for (const [k, v] of Object.entries(value)) {
      cardNumberIssues(k, [...path, k], out)
      cardNumberIssues(v, [...path, k], out)
    }
  return out
}

/** Screens the JSON body, query string, path and Idempotency-Key of every request (see above). */
export const cardScreeningPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preHandler', async (request) => {
      const issues = [
        // A text body (the reconciliation CSV) is the finance file itself, read and not stored.
        ...(typeof request.body === 'object' ? cardNumberIssues(request.body, ['body']) : []),
        ...cardNumberIssues(request.query, ['querystring']),
        ...cardNumberIssues(request.params, ['params']),
        // Kept in the idempotency table: a client-chosen id like any other.
        ...cardNumberIssues(request.headers['idempotency-key'], ['headers', 'idempotency-key']),
      ]
      if (issues.length > 0)
        throw new TrecError('TREC_VALIDATION', 'a card number was written where none belongs', { issues })
    })
  },
  { name: 'trec-card-screening', fastify: '5.x' },
)
