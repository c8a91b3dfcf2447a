import { randomBytes } from 'node:crypto'
import { KafkaInfraError } from './errors.ts'

export interface BrokerConfigInput {
  port: number
  controllerPort: number
  dataDir: string
  /** Partitions of an auto-created topic. */
  numPartitions: number
  kafkaVersion: string
  /** Appended last, so they win (java.util.Properties keeps the last value of a repeated key). */
  overrides?: Record<string, string | number | boolean>
}

/**
 * server.properties for one combined broker+controller KRaft node on 127.0.0.1, tuned for tests.
 * Based on Kafka's own combined-mode example (config/kraft/server.properties in 3.9).
 */
export function brokerProperties(input: BrokerConfigInput): string {
  const { port, controllerPort, dataDir, numPartitions } = input
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    // Static quorum: formats without --standalone and works the same on 3.9 and 4.x.
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    // 127.0.0.1, not localhost: Node may resolve localhost to ::1, and kafkajs cannot parse [::1]:port.
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'auto.create.topics.enable=true',
    `num.partitions=${numPartitions}`,
    // One broker: the internal topics default to replication factor 3 (min ISR 2), which one node can
    // never satisfy, and consumers then loop on "group coordinator not available".
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // A consumer group starts at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // Small footprint on a shared 2-core machine: the cleaner's dedupe buffer defaults to 128 MiB and
    // the thread pools to 3 network / 8 I/O threads.
    'log.cleaner.dedupe.buffer.size=1048577',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'background.threads=4',
  ]
  if (Number(input.kafkaVersion.split('.')[0]) >= 4) {
    // 4.x adds the share-group state topic, with the same replication-factor trap.
    lines.push(
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
    )
  }
  for (const [key, value] of Object.entries(input.overrides ?? {})) {
    if (!/^[A-Za-z0-9._-]+$/.test(key) || /[\r\n]/.test(String(value))) {
      throw new KafkaInfraError(
        `not a plain server.properties entry: ${JSON.stringify(key)}=${JSON.stringify(value)}`,
      )
    }
    lines.push(`${key}=${value}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * Logging config for the broker JVM, written to its stdout (which goes to the log file). Quiet by default
 * but keeps the "Kafka Server started" line. 3.x logs through reload4j, 4.x through log4j2.
 */
export function loggingConfig(
  kafkaVersion: string,
  level: string,
): { file: string; text: string; jvmFlag: (path: string) => string } {
  if (Number(kafkaVersion.split('.')[0]) >= 4) {
    return {
      file: 'log4j2.properties',
      jvmFlag: (path) => `-Dlog4j2.configurationFile=${path}`,
      text: [
        'appender.console.type=Console',
        'appender.console.name=STDOUT',
        'appender.console.layout.type=PatternLayout',
        'appender.console.layout.pattern=[%d] %p %m (%c)%n',
        `rootLogger.level=${level}`,
        'rootLogger.appenderRef.stdout.ref=STDOUT',
        'logger.raft.name=kafka.server.KafkaRaftServer',
        'logger.raft.level=INFO',
        '',
      ].join('\n'),
    }
  }
  return {
    file: 'log4j.properties',
    jvmFlag: (path) => `-Dlog4j.configuration=file:${path}`,
    text: [
      `log4j.rootLogger=${level}, stdout`,
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
      '',
    ].join('\n'),
  }
}

/**
 * A new KRaft cluster id: 16 random bytes in unpadded base64url, as Kafka's `Uuid.fromString` reads
 * it. An id that starts with `-` is drawn again (as Kafka's own `Uuid.randomUuid` does): the storage
 * tool's argument parser would take it for an option and refuse the format, once in 64 starts.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}
