import type { SealedValue } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { KeyRing } from '@trec/privacy'
import type { OfferedAccount } from '../domain/claim-commands.ts'

// 持卡领补 (D3) at the edge: an account finance names for a worker's payment must open under that
// worker's data key (anything else is a 400 naming the field), and is then compared with the
// account of the worker's social-security card as the card service registered it. The decider
// refuses the payment when the two differ; it never sees an account number.

const path = 'account.bankAccount'

async function openOffered(keyRing: KeyRing, worker: string, sealed: unknown): Promise<string> {
  try {
    return await keyRing.open(sealed, path, worker)
  } catch (cause) {
    throw new TrecError('TREC_VALIDATION', 'the account is not sealed under this worker’s key', {
      issues: [
        {
          path: ['body', 'account', 'bankAccount'],
          code: 'not_this_worker',
          message: 'seal the account under the worker’s data key (field account.bankAccount)',
        },
      ],
      cause,
    })
  }
}

/** What an account finance named is, against the worker's registered card account. */
export async function offeredAccount(
  keyRing: KeyRing,
  worker: string,
  offered: { kind: 'ssc_card' | 'bank_card'; bankAccount: SealedValue } | undefined,
  registered: { bankAccount: SealedValue } | undefined,
): Promise<OfferedAccount | undefined> {
  if (offered === undefined) return undefined
  const number = await openOffered(keyRing, worker, offered.bankAccount)
  if (offered.kind !== 'ssc_card' || registered === undefined) return 'other_account'
  const card = await keyRing.open(registered.bankAccount, path, worker)
  return card === number ? 'card_account' : 'other_account'
}
