import { type KafkaBroker, type RestartOptions, startKafkaBroker } from './broker.ts'
import { findJava, findMaven } from './executables.ts'
import { kafkaJarsCached, kafkaVersionFrom } from './jars.ts'

export type KafkaSource = 'env' | 'container' | 'local'

export interface KafkaForTests {
  brokers: string[]
  source: KafkaSource
  /** Stops what this call started; a no-op for KAFKA_BROKERS (someone else's broker). */
  stop(): Promise<void>
  /** Only for the local broker: a container's ports change on restart and an external broker is not ours. */
  restart?: (options?: RestartOptions) => Promise<void>
  /** Only for the local broker. */
  broker?: KafkaBroker
}

export interface KafkaPlan {
  source: KafkaSource
  /** What will be used, for test names and logs. */
  description: string
  start(): Promise<KafkaForTests>
}

export interface DetectKafkaOptions {
  env?: NodeJS.ProcessEnv
  /** How long the container-runtime check may take (default 5 s). */
  runtimeCheckTimeoutMs?: number
}

/**
 * Confluent's image, as @testcontainers/kafka requires; cp-kafka 7.9 carries Apache Kafka 3.9, the line
 * kafkajs 2.2.4 is safe with. TREC_KAFKA_IMAGE overrides it.
 */
export const defaultKafkaImage = 'confluentinc/cp-kafka:7.9.0'

function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '')
}

async function containerRuntime(timeoutMs: number): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([getContainerRuntimeClient(), timeout])
      return undefined
    } finally {
      clearTimeout(timer)
    }
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/**
 * Decides where a test's Kafka comes from, cheaply and without starting anything, in this order:
 * 1. KAFKA_BROKERS (comma list): an existing broker;
 * 2. a container runtime that testcontainers can reach: @testcontainers/kafka;
 * 3. `java` (and `mvn` unless the jars are cached): the local broker from Maven jars;
 * otherwise `{ skip }` with the reasons, for a `describe.skip` name.
 * TREC_KAFKA_SOURCE=env|container|local forces one source (no fallback); `skip` skips.
 */
export async function detectKafka(options: DetectKafkaOptions = {}): Promise<KafkaPlan | { skip: string }> {
  const env = options.env ?? process.env
  const forced = env.TREC_KAFKA_SOURCE
  if (forced === 'skip') return { skip: 'TREC_KAFKA_SOURCE=skip' }
  const reasons: string[] = []

  if (!forced || forced === 'env') {
    const brokers = parseBrokers(env.KAFKA_BROKERS ?? '')
    if (brokers.length > 0) {
      return {
        source: 'env',
        description: `KAFKA_BROKERS=${brokers.join(',')}`,
        start: async () => ({ brokers, source: 'env', stop: async () => {} }),
      }
    }
    reasons.push('KAFKA_BROKERS is not set')
  }

  if (!forced || forced === 'container') {
    const problem = await containerRuntime(options.runtimeCheckTimeoutMs ?? 5000)
    if (problem === undefined) {
      const image = env.TREC_KAFKA_IMAGE || defaultKafkaImage
      return {
        source: 'container',
        description: `testcontainers ${image}`,
        start: () => startContainer(image),
      }
    }
    reasons.push(`no container runtime (${problem})`)
  }

  if (!forced || forced === 'local') {
    const version = kafkaVersionFrom(env)
    const java = findJava(env)
    const cached = kafkaJarsCached({ version, env })
    if (!java) reasons.push('java is not on PATH')
    else if (!cached && !findMaven(env))
      reasons.push(`mvn is not on PATH and Kafka ${version} jars are not cached`)
    else {
      return {
        source: 'local',
        description: `local Kafka ${version} from Maven jars${cached ? '' : ' (to be downloaded)'}`,
        start: async () => {
          const broker = await startKafkaBroker({ env, version })
          return {
            brokers: broker.brokers,
            source: 'local',
            stop: () => broker.stop(),
            restart: (restartOptions) => broker.restart(restartOptions),
            broker,
          }
        },
      }
    }
  }

  return { skip: `no Kafka: ${reasons.join('; ')}` }
}

async function startContainer(image: string): Promise<KafkaForTests> {
  const { KafkaContainer } = await import('@testcontainers/kafka')
  // Same test settings as the local broker (see config.ts): auto-create with 3 partitions.
  const container = await new KafkaContainer(image)
    .withKraft()
    .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true', KAFKA_NUM_PARTITIONS: '3' })
    .start()
  // 9093 is the module's host-facing PLAINTEXT listener.
  const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`]
  return {
    brokers,
    source: 'container',
    stop: async () => {
      await container.stop()
    },
  }
}

/** detectKafka, then start what it found: the one call a test suite needs. */
export async function kafkaForTests(
  options: DetectKafkaOptions = {},
): Promise<KafkaForTests | { skip: string }> {
  const plan = await detectKafka(options)
  return 'skip' in plan ? plan : plan.start()
}
