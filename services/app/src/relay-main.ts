// The relay process of distributed mode: publishes the store's global feed to Kafka (at least
// once, checkpoint after the broker's ack; see @trec/relay) and answers health probes and
// Prometheus scrapes on TREC_HOST:TREC_PORT. Stops on SIGTERM after the batch in flight is
// acknowledged and checkpointed.

import { eventsAfter } from '@trec/projections'
import { runRelay, SqlCheckpointStore } from '@trec/relay'
import { Kafka, logLevel } from 'kafkajs'
import { Counter } from 'prom-client'
import { Metrics } from './metrics.ts'
import { openRuntime } from './open-store.ts'
import { kafkaCheck, listenForProbes } from './probe-server.ts'
import { Readiness, storeCheck } from './readiness.ts'
import { loadRelayConfig } from './relay-config.ts'
import { exitOnSignals } from './shutdown.ts'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const config = loadRelayConfig()
const runtime = await openRuntime(config)
const checkpoints = new SqlCheckpointStore(runtime.sql, config.TREC_RELAY_SCHEMA)
await checkpoints.setup()
const name = `relay:${config.TREC_TOPIC}`

const kafka = new Kafka({ clientId: 'trec-relay', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({
  topics: [{ topic: config.TREC_TOPIC, numPartitions: config.TREC_TOPIC_PARTITIONS }],
  waitForLeaders: true,
})

const metrics = new Metrics()
const publishedEvents = new Counter({
  name: 'trec_relay_published_events_total',
  help: 'Events the relay published and checkpointed.',
  registers: [metrics.registry],
})
const relayErrors = new Counter({
  name: 'trec_relay_errors_total',
  help: 'Relay passes that failed (broker or store unavailable) and were retried from the checkpoint.',
  registers: [metrics.registry],
})
const producerReplacements = new Counter({
  name: 'trec_relay_producer_replacements_total',
  help: 'Producers the relay replaced after a failed send (reason: the producer-state error the broker answered, or send_failed).',
  labelNames: ['reason'],
  registers: [metrics.registry],
})
metrics
  .readGauge('trec_relay_checkpoint_position', 'Global position the relay has published up to.')
  .track({}, () => checkpoints.load(name))
metrics
  .readGauge(
    'trec_relay_lag_events',
    'Events in the feed the relay has not published yet (counted up to 100,000).',
  )
  .track({}, async () => eventsAfter(runtime.store, await checkpoints.load(name)))

const readiness = new Readiness()
readiness.add(storeCheck(runtime.store, config.TREC_STORE))
readiness.add(kafkaCheck(admin))
readiness.add({
  name: 'relay',
  async check() {
    const checkpoint = await checkpoints.load(name)
    return {
      ready: true,
      checkpoint: checkpoint.toString(),
      lag: await eventsAfter(runtime.store, checkpoint),
    }
  },
})

const http = await listenForProbes(config, { readiness, metrics })

const controller = new AbortController()
const relaying = runRelay({
  store: runtime.store,
  kafka,
  topic: config.TREC_TOPIC,
  checkpoints,
  batchSize: config.TREC_RELAY_BATCH_SIZE,
  signal: controller.signal,
  onPublished: ({ events }) => publishedEvents.inc(events),
  onError: (error) => {
    relayErrors.inc()
    http.log.warn({ err: error }, 'relay pass failed; retrying from the checkpoint')
  },
  onProducerReplaced: ({ type }) => {
    producerReplacements.inc({ reason: type })
    http.log.warn(
      { reason: type },
      `relay: a send failed (${type}); replaced the producer, publishing again from the checkpoint`,
    )
  },
})
http.log.info(`relay: publishing the ${config.TREC_STORE} feed to ${config.TREC_TOPIC}`)

exitOnSignals(
  {
    // The batch in flight is acknowledged and checkpointed before runRelay resolves.
    async close() {
      controller.abort()
      await relaying
      await admin.disconnect()
      await http.close()
      await runtime.close()
    },
  },
  { timeoutMs: config.TREC_SHUTDOWN_TIMEOUT_MS, log: (m) => http.log.info(m) },
)
