/**
 * Broker answers meaning the idempotent producer's sequence numbers (or its producer id and epoch)
 * no longer match what the broker holds for it. KafkaJS does not retry them, and retrying with the
 * same producer can never succeed: the producer has to be replaced by a new one, which gets a new
 * producer id whose sequences start again at zero.
 *
 * How a relay gets there: KafkaJS takes back the sequence numbers of a send whose answer was lost
 * (connection cut, broker killed), even when the broker wrote the batch. If the next send is not
 * the same batch (the relay retries from its checkpoint and the feed has grown meanwhile), it
 * reuses sequence numbers the broker has already seen for different records.
 */
export const producerStateErrors: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
])

/**
 * The KafkaJS protocol error type (e.g. `OUT_OF_ORDER_SEQUENCE_NUMBER`) if `error`, or an error
 * it wraps (KafkaJS wraps protocol errors in `cause`; aggregate errors list them in `errors`), is
 * a producer-state error; otherwise undefined.
 */
export function producerStateError(error: unknown, depth = 0): string | undefined {
  if (depth > 8 || typeof error !== 'object' || error === null) return undefined
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown }
  if (typeof type === 'string' && producerStateErrors.has(type)) return type
  if (cause !== error) {
    const found = producerStateError(cause, depth + 1)
    if (found) return found
  }
  if (Array.isArray(errors))
    for (const inner of errors) {
      const found = producerStateError(inner, depth + 1)
      if (found) return found
    }
  return undefined
}
