import { z } from 'zod'
import { type Config, loadConfig, withoutEmpty } from './config.ts'

// The relay process reads the same store variables as the services (TREC_STORE, DATABASE_URL,
// KURRENTDB_URL, TREC_HOST/PORT for its health and metrics, TREC_METRICS_TOKEN, ...) plus these;
// so do the read workers (read-worker-main.ts), which consume what the relay publishes.
export const relayConfigSchema = z.object({
  /** Comma list of bootstrap brokers, e.g. `kafka:9092`. */
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port')).min(1)),
  /** Topic the global feed is published to. */
  TREC_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('trec.events'),
  /** Partitions of the topic when the relay creates it (an existing topic is left as it is). */
  TREC_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  /** Schema of the relay's checkpoint table. */
  TREC_RELAY_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('trec_relay'),
  /**
   * Read workers: the consumer-group prefix (one group per read model, `<prefix>.<name>`), in
   * which the workers split the topic's partitions between them.
   */
  TREC_READ_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default('trec-read'),
  /** Read workers: how long the group waits for a silent worker before giving its partitions to the others. */
  TREC_READ_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
  /** Events per Kafka produce request. */
  TREC_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
})

export type RelayConfig = Config & z.infer<typeof relayConfigSchema>

export function loadRelayConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const problems: string[] = []
  let base: Config | undefined
  try {
    base = loadConfig(env)
  } catch (error) {
    problems.push(...(error as Error).message.split('\n').slice(1))
  }
  const relay = relayConfigSchema.safeParse(withoutEmpty(env))
  if (!relay.success) problems.push(...relay.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`))
  if (problems.length > 0 || !base || !relay.success)
    throw new Error(`invalid configuration:\n${problems.join('\n')}`)
  return { ...base, ...relay.data }
}
