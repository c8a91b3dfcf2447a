import type { EventData } from '@trec/contracts'
import type { Publication, PublicationObjection } from './publication.ts'

// A worker's subsidy history (`subsidy-{worker}`): every claim with where it stands. The practice
// rules (once per occupation and level, yearly caps, lower level after higher) are judged on it.

type Data<T extends SubsidyEvent['type']> = Extract<SubsidyEvent, { type: T }>['data']

export type SubsidyEvent =
  | { type: 'SubsidyClaimSubmitted'; data: EventData<'SubsidyClaimSubmitted'> }
  | { type: 'SubsidyClaimReviewed'; data: EventData<'SubsidyClaimReviewed'> }
  | { type: 'SubsidyClaimDecided'; data: EventData<'SubsidyClaimDecided'> }
  | { type: 'SubsidyPaid'; data: EventData<'SubsidyPaid'> }
  | { type: 'SubsidyClawedBack'; data: EventData<'SubsidyClawedBack'> }
  | { type: 'ClaimSanctionReviewed'; data: EventData<'ClaimSanctionReviewed'> }
  | { type: 'ClaimPublished'; data: EventData<'ClaimPublished'> }
  | { type: 'PublicationObjectionFiled'; data: EventData<'PublicationObjectionFiled'> }
  | { type: 'PublicationObjectionRuled'; data: EventData<'PublicationObjectionRuled'> }
  | { type: 'ContributionHistoryAttested'; data: EventData<'ContributionHistoryAttested'> }
  | { type: 'CardAccountRegistered'; data: EventData<'CardAccountRegistered'> }

export type ClaimStatus = 'submitted' | 'approved' | 'rejected' | 'paid' | 'clawed_back'

export interface ClaimState {
  submitted: Data<'SubsidyClaimSubmitted'>
  status: ClaimStatus
  reviews: Omit<Data<'SubsidyClaimReviewed'>, 'claim' | 'worker'>[]
  decision?: Omit<Data<'SubsidyClaimDecided'>, 'claim' | 'worker'>
  payment?: Omit<Data<'SubsidyPaid'>, 'claim' | 'worker' | 'account'> & {
    accountKind?: 'ssc_card' | 'bank_card'
  }
  clawbacks: Omit<Data<'SubsidyClawedBack'>, 'claim' | 'worker'>[]
  clawedBack: number
  /** 公示, when the rule set asks for it: the days the approved claim is published. */
  publication?: Publication
  /** Objections to the published claim, each with its ruling once given. */
  objections: PublicationObjection[]
}

export interface SubsidyState {
  /** Claims by id, in the order they were made. */
  claims: Readonly<Record<string, ClaimState>>
  count: number
  /** The account of the worker's social-security card, as the card service last registered it (持卡领补). */
  cardAccount?: EventData<'CardAccountRegistered'>['account']
}

export const initialSubsidyState = (): SubsidyState => ({ claims: {}, count: 0 })

/** A claim still standing: not rejected and not wholly recovered. Only these count against limits. */
export const isActive = (claim: ClaimState): boolean =>
  claim.status !== 'rejected' && claim.status !== 'clawed_back'

function update(state: SubsidyState, id: string, change: (claim: ClaimState) => ClaimState): SubsidyState {
  const claim = state.claims[id]
  return claim ? { ...state, claims: { ...state.claims, [id]: change(claim) } } : state
}

export function evolveSubsidy(state: SubsidyState, event: SubsidyEvent): SubsidyState {
  switch (event.type) {
    case 'SubsidyClaimSubmitted':
      return {
        ...state,
        claims: {
          ...state.claims,
          [event.data.claim]: {
            submitted: event.data,
            status: 'submitted',
            reviews: [],
            clawbacks: [],
            clawedBack: 0,
            objections: [],
          },
        },
        count: state.count + 1,
      }
    case 'SubsidyClaimReviewed': {
      const { claim: _, worker: __, ...review } = event.data
      return update(state, event.data.claim, (c) => ({ ...c, reviews: [...c.reviews, review] }))
    }
    case 'SubsidyClaimDecided': {
      const { claim: _, worker: __, ...decision } = event.data
      return update(state, event.data.claim, (c) => ({ ...c, decision, status: decision.outcome }))
    }
    case 'SubsidyPaid': {
      const { claim: _, worker: __, account, ...payment } = event.data
      return update(state, event.data.claim, (c) => ({
        ...c,
        status: 'paid',
        payment: { ...payment, ...(account ? { accountKind: account.kind } : {}) },
      }))
    }
    case 'SubsidyClawedBack': {
      const { claim: _, worker: __, ...clawback } = event.data
      return update(state, event.data.claim, (c) => {
        const clawedBack = c.clawedBack + clawback.amount
        const whole = c.payment !== undefined && clawedBack >= c.payment.amount
        return {
          ...c,
          clawbacks: [...c.clawbacks, clawback],
          clawedBack,
          status: whole ? 'clawed_back' : c.status,
        }
      })
    }
    case 'ClaimSanctionReviewed':
      // A rejection on review rejects the claim; `continue` leaves it where it stands.
      return event.data.outcome === 'reject'
        ? update(state, event.data.claim, (c) => ({ ...c, status: 'rejected' }))
        : state
    case 'ClaimPublished':
      return update(state, event.data.claim, (c) => ({
        ...c,
        publication: { from: event.data.from, to: event.data.to },
      }))
    case 'PublicationObjectionFiled': {
      const { objection, reason } = event.data
      return update(state, event.data.claim, (c) => ({
        ...c,
        objections: [...c.objections, { objection, reason }],
      }))
    }
    case 'PublicationObjectionRuled': {
      // An upheld objection rejects the claim; a dismissed one leaves it approved.
      const { objection, outcome } = event.data
      return update(state, event.data.claim, (c) => ({
        ...c,
        status: outcome === 'upheld' ? 'rejected' : c.status,
        objections: c.objections.map((o) => (o.objection === objection ? { ...o, outcome } : o)),
      }))
    }
    case 'ContributionHistoryAttested':
      return state
    case 'CardAccountRegistered':
      return { ...state, cardAccount: event.data.account }
  }
}
