import { describe, expect, it } from 'vitest'
import { brokerProperties, newClusterId } from '../src/config.ts'
import { KafkaInfraError } from '../src/errors.ts'

function parse(text: string): Map<string, string> {
  // java.util.Properties semantics for these simple lines: the last value of a key wins.
  const map = new Map<string, string>()
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at > 0 && !line.startsWith('#')) map.set(line.slice(0, at), line.slice(at + 1))
  }
  return map
}

const input = {
  port: 40001,
  controllerPort: 40002,
  dataDir: '/tmp/x/data',
  numPartitions: 3,
  kafkaVersion: '3.9.2',
}

describe('broker server.properties', () => {
  it('listens and advertises on 127.0.0.1 only, with the controller as the single static voter', () => {
    const props = parse(brokerProperties(input))
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002')
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001')
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:40002')
    expect(props.get('process.roles')).toBe('broker,controller')
  })

  it('gives the internal topics a replication factor one broker can satisfy', () => {
    const props = parse(brokerProperties(input))
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor']) {
      expect(props.get(key)).toBe('1')
    }
    expect(props.get('transaction.state.log.min.isr')).toBe('1')
    expect(props.has('share.coordinator.state.topic.replication.factor')).toBe(false)
    expect(
      parse(brokerProperties({ ...input, kafkaVersion: '4.1.2' })).get(
        'share.coordinator.state.topic.replication.factor',
      ),
    ).toBe('1')
  })

  it('auto-creates topics with the requested partitions and starts groups without delay', () => {
    const props = parse(brokerProperties({ ...input, numPartitions: 5 }))
    expect(props.get('auto.create.topics.enable')).toBe('true')
    expect(props.get('num.partitions')).toBe('5')
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0')
  })

  it('lets overrides win over the defaults', () => {
    const props = parse(
      brokerProperties({ ...input, overrides: { 'num.partitions': 7, 'broker.session.timeout.ms': 4000 } }),
    )
    expect(props.get('num.partitions')).toBe('7')
    expect(props.get('broker.session.timeout.ms')).toBe('4000')
  })

  it('refuses an override that would inject another line', () => {
    expect(() => brokerProperties({ ...input, overrides: { 'num.partitions': '1\nlog.dirs=/' } })).toThrow(
      KafkaInfraError,
    )
    expect(() => brokerProperties({ ...input, overrides: { 'a b': 1 } })).toThrow(KafkaInfraError)
  })
})

describe('newClusterId', () => {
  it('draws again an id that would start with "-", which the storage tool reads as an option', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)]
    const id = newClusterId(() => draws.shift() ?? Buffer.alloc(16))
    expect(Buffer.alloc(16, 0xfb).toString('base64url').startsWith('-')).toBe(true)
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'))
    expect(draws).toHaveLength(0)
  })

  it('gives 22 base64url characters', () => {
    for (let i = 0; i < 200; i += 1) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
  })
})
