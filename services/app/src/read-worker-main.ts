// A read worker of distributed mode: keeps the archive and compliance read models (TREC_SERVICES
// picks which) from the Kafka topic the relay publishes, as a member of one consumer group per read
// model (`<TREC_READ_GROUP>.<name>`). Start two or more: the group splits the topic's partitions
// between them, and when one dies (even by SIGKILL) the others take its partitions over after
// TREC_READ_SESSION_TIMEOUT_MS. Each batch's rows and its partition's checkpoint commit in one
// transaction, and an event at or below its partition's checkpoint is dropped, so a redelivered
// batch is never applied twice (see @trec/relay consume.ts). Health and metrics on
// TREC_HOST:TREC_PORT; stops on SIGTERM after the batches in flight commit. The lag each read model
// reports is counted from its furthest partition, so it can read low while another partition is
// behind; the consumer group's lag (offsets) is the exact measure.
import { kafkaSource } from '@trec/relay'
import { Kafka, logLevel } from 'kafkajs'
import { Metrics } from './metrics.ts'
import { openRuntime } from './open-store.ts'
import { kafkaCheck, listenForProbes } from './probe-server.ts'
import { runProjections } from './projections.ts'
import { readModelsOf } from './read-models.ts'
import { Readiness, storeCheck } from './readiness.ts'
import { loadRelayConfig } from './relay-config.ts'
import { exitOnSignals } from './shutdown.ts'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const config = loadRelayConfig()
const projections = readModelsOf(config.TREC_SERVICES)
if (projections.length === 0)
  throw new Error('TREC_SERVICES names no service with a read model (archive, compliance)')
const runtime = await openRuntime(config)
const kafka = new Kafka({
  clientId: 'trec-read-worker',
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
})
const admin = kafka.admin()
await admin.connect()

const metrics = new Metrics()
const readiness = new Readiness()
readiness.add(storeCheck(runtime.store, config.TREC_STORE))
readiness.add(kafkaCheck(admin))
const http = await listenForProbes(config, { readiness, metrics })

const running = await runProjections(
  runtime.store,
  runtime.sql,
  projections,
  { metrics, readiness },
  http.log,
  {
    sourceOf: (projection) => {
      const groupId = `${config.TREC_READ_GROUP}.${projection.name}`
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: config.TREC_READ_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.max(500, Math.floor(config.TREC_READ_SESSION_TIMEOUT_MS / 10)),
        maxWaitTimeInMs: 100,
      })
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const partitions = Object.values(payload.memberAssignment).flat()
        http.log.info(
          { group: groupId, partitions },
          `read worker: ${projection.name} holds partitions ${partitions.join(',')}`,
        )
      })
      return kafkaSource(consumer, config.TREC_TOPIC)
    },
  },
)
http.log.info(
  `read worker: keeping ${projections.map((p) => p.name).join(', ')} from ${config.TREC_TOPIC} (groups ${config.TREC_READ_GROUP}.<name>)`,
)

exitOnSignals(
  {
    // Each batch in flight commits (rows, checkpoint, offset) before its consumer leaves the group.
    async close() {
      await running.stop()
      await admin.disconnect()
      await http.close()
      await runtime.close()
    },
  },
  { timeoutMs: config.TREC_SHUTDOWN_TIMEOUT_MS, log: (m) => http.log.info(m) },
)
