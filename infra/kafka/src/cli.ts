// node infra/kafka/src/cli.ts fetch            resolve the broker jars into the cache (CI warm-up)
// node infra/kafka/src/cli.ts start [--port N]  run a broker in the foreground until Ctrl-C
import { parseArgs } from 'node:util'
import { startKafkaBroker } from './broker.ts'
import { resolveKafkaJars } from './jars.ts'

const usage =
  'usage: node infra/kafka/src/cli.ts fetch | start [--port N] [--controller-port N] [--partitions N]'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    'controller-port': { type: 'string' },
    partitions: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`--${name} must be a TCP port, got ${value}`)
    process.exit(2)
  }
  return port
}

async function fetchJars(): Promise<void> {
  const jars = await resolveKafkaJars()
  console.log(
    `Kafka ${jars.version} jars ${jars.resolved ? 'resolved into' : 'already cached in'} ${jars.libDir}`,
  )
}

async function start(): Promise<void> {
  const port = portOption(values.port, 'port')
  const controllerPort = portOption(values['controller-port'], 'controller-port')
  const partitions = values.partitions === undefined ? undefined : Number(values.partitions)
  const started = Date.now()
  const broker = await startKafkaBroker({
    ...(port === undefined ? {} : { port }),
    ...(controllerPort === undefined ? {} : { controllerPort }),
    ...(partitions === undefined ? {} : { numPartitions: partitions }),
  })
  console.log(
    `Kafka ${broker.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${broker.pid})`,
  )
  console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`)
  console.log(`log: ${broker.logFile}`)
  console.log('Ctrl-C stops the broker and deletes its data.')
  // The broker JVM is unref'd (it must not keep test runners alive), so hold the CLI open ourselves.
  const keepAlive = setInterval(() => {}, 60_000)
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping Kafka…`)
    broker
      .stop()
      .then(() => {
        clearInterval(keepAlive)
        console.log('stopped')
      })
      .catch((error: unknown) => {
        console.error(error)
        process.exitCode = 1
        clearInterval(keepAlive)
      })
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

const command = positionals[0]
if (values.help) console.log(usage)
else if (command === 'fetch') await fetchJars()
else if (command === 'start') await start()
else {
  console.error(usage)
  process.exitCode = 2
}
