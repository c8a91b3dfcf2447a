import { TrecError } from '@trec/core'

// The write path's budget, apart from where requests are read: the admission plugin asks it on
// the request thread, the front thread (front-thread-main.ts) asks it before a request reaches
// that thread at all. Both refuse with the same answer.

/** Why the budget itself refuses a write. */
export type BudgetReason = 'queue_depth' | 'latency'
/** Why a write is refused: the budget's reasons, or the request thread's loop running late. */
export type AdmissionReason = BudgetReason | 'event_loop'

export interface BudgetLimits {
  /** Write requests handled at once; a write arriving when this many are in hand is refused. */
  maxInFlight: number
  /**
   * Latency budget (ms): while the oldest write in hand has waited longer than this, new writes
   * are refused, so the ones admitted finish within about this time.
   */
  maxLatencyMs: number
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Writes are what admission control counts; reads (GET, HEAD) always pass. */
export const isWriteMethod = (method: string) => writeMethods.has(method)

/** The writes in hand, oldest first, against the limits. */
export class AdmissionBudget {
  // Admission times in insertion order: the first entry is the oldest write in hand.
  readonly #inHand = new Set<{ at: number }>()

  readonly limits: BudgetLimits

  constructor(limits: BudgetLimits) {
    this.limits = limits
  }

  inFlight(): number {
    return this.#inHand.size
  }

  oldestMs(): number {
    for (const entry of this.#inHand) return performance.now() - entry.at
    return 0
  }

  /** Why a write arriving now is refused, if it is (the loop's delay is the caller's to add). */
  refusal(): BudgetReason | undefined {
    if (this.#inHand.size >= this.limits.maxInFlight) return 'queue_depth'
    return this.oldestMs() > this.limits.maxLatencyMs ? 'latency' : undefined
  }

  /** Counts a write as in hand; call what it returns, once, when its answer is sent or lost. */
  enter(): () => void {
    const entry = { at: performance.now() }
    this.#inHand.add(entry)
    return () => this.#inHand.delete(entry)
  }

  /** The seconds a refusal asks the client to wait: the budget, or the oldest write's wait if longer. */
  retryAfterSeconds(): number {
    // Without a latency budget (Infinity), a second is the shortest honest wait to name.
    const budgetMs = Number.isFinite(this.limits.maxLatencyMs) ? this.limits.maxLatencyMs : 1000
    return Math.max(1, Math.ceil(Math.max(this.oldestMs(), budgetMs) / 1000))
  }
}

/** The 503 a refused write gets (with `Retry-After: seconds`), in the caller's language first. */
export function overloaded(reason: AdmissionReason, seconds: number): TrecError {
  return new TrecError(
    'TREC_OVERLOADED',
    `系统繁忙，请 ${seconds} 秒后重试 (at capacity; retry in ${seconds} s)`,
    {
      details: { reason, retryAfterSeconds: seconds },
      canRetry: true,
    },
  )
}
