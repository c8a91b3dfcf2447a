/**
 * A failure of the test/development Kafka tooling (jar resolution, broker start or stop).
 * This is not a TrecError on purpose: it never reaches an API client, so it has no HTTP status or
 * catalogue code; the facts an operator needs (ports, log file, exit code, log tail) are in `details`.
 */
export class KafkaInfraError extends Error {
  readonly details: Record<string, unknown>

  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'KafkaInfraError'
    this.details = details
  }
}
