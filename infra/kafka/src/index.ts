export {
  type KafkaBroker,
  type RestartOptions,
  type StartKafkaBrokerOptions,
  startKafkaBroker,
} from './broker.ts'
export {
  type DetectKafkaOptions,
  defaultKafkaImage,
  detectKafka,
  type KafkaForTests,
  type KafkaPlan,
  type KafkaSource,
  kafkaForTests,
} from './discover.ts'
export { KafkaInfraError } from './errors.ts'
export {
  defaultKafkaVersion,
  type KafkaJars,
  kafkaCacheDir,
  kafkaJarsCached,
  type ResolveKafkaJarsOptions,
  resolveKafkaJars,
} from './jars.ts'
