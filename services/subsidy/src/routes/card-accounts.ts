import { handleCommand } from '@trec/command'
import { commandAnswerWith, entityIdSchema } from '@trec/contracts'
import { assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import { metaFor, now, singleEventId } from './common.ts'

const cardAccountBody = z
  .strictObject({
    /** The social-security card number, in any spelling people type; kept only as the pseudonym. */
    cardNumber: cardNumberSchema,
    /** The card's financial account number (社保卡金融账户): 12 to 30 digits. Sealed before it is stored. */
    bankAccount: z.string().regex(/^\d{12,30}$/, 'must be the account number: 12 to 30 digits'),
    /** The bank that holds the account (its code in the card system). */
    bank: entityIdSchema,
    /** The card system that answers for the card, and its reference for this registration. */
    source: z.strictObject({ system: entityIdSchema, ref: entityIdSchema }),
  })
  .meta({ id: 'CardAccountRequest' })

const cardAccountAnswer = commandAnswerWith(
  'CardAccountAnswer',
  'worker',
  '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
  'The pseudonym of the card’s holder.',
)

/**
 * POST /v1/card-accounts (card_service, for cards issued in its region): registers the account
 * of a worker's social-security card (持卡领补, D3), the only account a worker's subsidy is paid
 * to. The number is sealed under the worker's data key at once; institutions and finance never
 * type it. A later registration replaces the earlier one for payments made after it.
 */
export function cardAccountRoute(app: Platform, options: ResolvedOptions): void {
  const body = cardAccountBody.transform(({ cardNumber, ...rest }) => ({
    worker: options.pseudonymizer.pseudonym(cardNumber),
    issuedIn: cardNumber.slice(0, 6),
    ...rest,
  }))
  app.post(
    '/v1/card-accounts',
    {
      config: { auth: { roles: ['card_service'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Register the bank account of a worker’s social-security card (持卡领补)',
        operationId: 'registerCardAccount',
        description:
          'The card service names the card and its financial account; the account is sealed under the worker’s data key and is from then on the only account the worker’s subsidies are paid to. A card platform bound to a region registers only cards issued there.',
        body,
        response: { 201: cardAccountAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { worker, issuedIn, bankAccount, bank, source } = request.body
      assertRegion(p, issuedIn)
      const { at } = now(options)
      const sealed = await options.keyRing.seal(worker, 'account.bankAccount', bankAccount)
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${worker}`,
        command: {
          kind: 'register-card-account',
          data: { worker, account: { kind: 'ssc_card', bankAccount: sealed }, bank, issuedIn, source },
        },
        meta: metaFor(p, at, issuedIn),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, worker })
    },
  )
}
