import { describe, expect, it } from 'vitest'
import { admissionOptions, frontOptions, readSideOptions } from '../src/app-options.ts'
import { loadConfig } from '../src/config.ts'
import { readSideThreadGroups } from '../src/read-side-threads.ts'
import { loadRelayConfig } from '../src/relay-config.ts'

describe('production settings', () => {
  it('default to a 1 MiB body, 1,200 requests a minute per caller, a public /metrics and a 10 s shutdown', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      TREC_BODY_LIMIT: 1024 * 1024,
      TREC_RATE_LIMIT_MAX: 1200,
      TREC_RATE_LIMIT_WINDOW_MS: 60_000,
      TREC_SHUTDOWN_TIMEOUT_MS: 10_000,
    })
    expect(config.TREC_METRICS_TOKEN).toBeUndefined()
  })

  it('take an empty variable for an unset one, as compose passes it', () => {
    const config = loadConfig({
      TREC_PSEUDONYM_SECRET: '',
      TREC_JWKS_URL: '',
      TREC_PORT: '',
      TREC_METRICS_TOKEN: '',
    })
    expect(config.TREC_PORT).toBe(3000)
    expect(config.TREC_PSEUDONYM_SECRET).toBeUndefined()
    expect(config.TREC_JWKS_URL).toBeUndefined()
    expect(config.TREC_METRICS_TOKEN).toBeUndefined()
  })

  it('refuse a short scrape token, a tiny body limit and a negative rate, all at once', () => {
    expect(() =>
      loadConfig({ TREC_METRICS_TOKEN: 'short', TREC_BODY_LIMIT: '10', TREC_RATE_LIMIT_MAX: '-1' }),
    ).toThrow(/TREC_BODY_LIMIT[\s\S]*TREC_RATE_LIMIT_MAX[\s\S]*TREC_METRICS_TOKEN/)
  })

  it('read the audit witnesses as a list of http(s) URLs, and refuse anything else', () => {
    expect(loadConfig({}).TREC_AUDIT_WITNESSES).toEqual([])
    const config = loadConfig({
      TREC_AUDIT_WITNESSES: 'http://127.0.0.1:8411, https://witness.example.org/w2',
      TREC_AUDIT_WITNESS_COSIGNATURES: '1',
    })
    expect(config.TREC_AUDIT_WITNESSES).toEqual(['http://127.0.0.1:8411', 'https://witness.example.org/w2'])
    expect(config.TREC_AUDIT_WITNESS_COSIGNATURES).toBe(1)
    expect(() => loadConfig({ TREC_AUDIT_WITNESSES: 'ftp://w.example' })).toThrow(/TREC_AUDIT_WITNESSES/)
  })

  it('turn the rate limit off with 0', () => {
    expect(loadConfig({ TREC_RATE_LIMIT_MAX: '0' }).TREC_RATE_LIMIT_MAX).toBe(0)
  })

  it('shed writes past 64 in hand or 500 ms by default; 0 turns a limit off, both 0 turn admission off', () => {
    expect(admissionOptions(loadConfig({}))).toEqual({ admission: { maxInFlight: 64, maxLatencyMs: 500 } })
    expect(admissionOptions(loadConfig({ TREC_ADMISSION_MAX_IN_FLIGHT: '0' }))).toEqual({
      admission: { maxInFlight: Number.POSITIVE_INFINITY, maxLatencyMs: 500 },
    })
    expect(
      admissionOptions(loadConfig({ TREC_ADMISSION_MAX_IN_FLIGHT: '0', TREC_ADMISSION_MAX_LATENCY_MS: '0' })),
    ).toEqual({})
    // Behind a front thread the budget is the front's.
    const fronted = loadConfig({ TREC_FRONT_THREAD: 'on', TREC_PORT: '4000' })
    expect(admissionOptions(fronted)).toEqual({})
    expect(frontOptions(fronted)).toEqual({
      host: fronted.TREC_HOST,
      port: 4000,
      maxInFlight: 64,
      maxLatencyMs: 500,
    })
    expect(frontOptions(loadConfig({}))).toBeUndefined()
    // On by default where the store is PostgreSQL only.
    const postgres = { TREC_STORE: 'postgres', DATABASE_URL: 'postgres://trec@db:5432/trec' }
    expect(frontOptions(loadConfig(postgres))).toMatchObject({ maxInFlight: 64 })
    expect(admissionOptions(loadConfig(postgres))).toEqual({})
    expect(frontOptions(loadConfig({ ...postgres, TREC_FRONT_THREAD: 'off' }))).toBeUndefined()
    expect(admissionOptions(loadConfig({ TREC_ADMISSION_MAX_LOOP_DELAY_MS: '50' }))).toEqual({
      admission: { maxInFlight: 64, maxLatencyMs: 500, maxLoopDelayMs: 50 },
    })
    expect(() =>
      loadConfig({ TREC_ADMISSION_MAX_IN_FLIGHT: '-1', TREC_ADMISSION_MAX_LATENCY_MS: 'soon' }),
    ).toThrow(/TREC_ADMISSION_MAX_IN_FLIGHT[\s\S]*TREC_ADMISSION_MAX_LATENCY_MS/)
  })

  it('give the read side’s thread its niceness, 0 to 19, 10 unless set', () => {
    const postgres = { TREC_STORE: 'postgres', DATABASE_URL: 'postgres://trec@db:5432/trec' }
    expect(readSideOptions(loadConfig(postgres)).readSideThread?.nice).toBe(10)
    expect(readSideOptions(loadConfig({ ...postgres, TREC_READ_SIDE_NICE: '0' })).readSideThread?.nice).toBe(
      0,
    )
    expect(() => loadConfig({ ...postgres, TREC_READ_SIDE_NICE: '20' })).toThrow(/TREC_READ_SIDE_NICE/)
  })

  it('size the serving process’s PostgreSQL pool, 20 unless set', () => {
    expect(loadConfig({}).TREC_PG_POOL_MAX).toBe(20)
    expect(loadConfig({ TREC_PG_POOL_MAX: '8' }).TREC_PG_POOL_MAX).toBe(8)
    expect(() => loadConfig({ TREC_PG_POOL_MAX: '0' })).toThrow(/TREC_PG_POOL_MAX/)
  })

  it('spread the read side over two threads unless TREC_READ_SIDE_THREADS=1', () => {
    const postgres = { TREC_STORE: 'postgres', DATABASE_URL: 'postgres://trec@db:5432/trec' }
    expect(readSideOptions(loadConfig(postgres)).readSideThread?.threads).toBe(2)
    expect(
      readSideOptions(loadConfig({ ...postgres, TREC_READ_SIDE_THREADS: '1' })).readSideThread?.threads,
    ).toBe(1)
    expect(() => loadConfig({ ...postgres, TREC_READ_SIDE_THREADS: '3' })).toThrow(/TREC_READ_SIDE_THREADS/)
    expect(readSideThreadGroups(2, ['read-models', 'oversight', 'notary'])).toEqual([
      ['read-models', 'notary'],
      ['oversight'],
    ])
    expect(readSideThreadGroups(2, ['oversight'])).toEqual([['oversight']])
    expect(readSideThreadGroups(1, ['read-models', 'oversight'])).toEqual([['read-models', 'oversight']])
  })
})

describe('the relay’s settings', () => {
  const store = { TREC_STORE: 'postgres', DATABASE_URL: 'postgres://trec@db:5432/trec' }

  it('read the brokers as a list, with the topic, partitions and checkpoint schema defaults', () => {
    expect(loadRelayConfig({ ...store, KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' })).toMatchObject({
      TREC_STORE: 'postgres',
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      TREC_TOPIC: 'trec.events',
      TREC_TOPIC_PARTITIONS: 12,
      TREC_RELAY_SCHEMA: 'trec_relay',
      TREC_RELAY_BATCH_SIZE: 1000,
      TREC_READ_GROUP: 'trec-read',
      TREC_READ_SESSION_TIMEOUT_MS: 10_000,
    })
  })

  it('list the store’s problems and the relay’s together', () => {
    expect(() => loadRelayConfig({ TREC_STORE: 'postgres', KAFKA_BROKERS: 'kafka' })).toThrow(
      /DATABASE_URL: required when TREC_STORE=postgres[\s\S]*KAFKA_BROKERS/,
    )
    expect(() => loadRelayConfig(store)).toThrow(/KAFKA_BROKERS/)
  })
})
