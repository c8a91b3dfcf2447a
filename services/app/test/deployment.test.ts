// The deployment files: docker-compose.yml, the image, and the documentation of every variable.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { configSchema, serviceNames } from '../src/config.ts'
import { relayConfigSchema } from '../src/relay-config.ts'

const root = join(import.meta.dirname, '../../..')
const read = (file: string) => readFileSync(join(root, file), 'utf8')

interface ComposeService {
  image?: string
  command?: string[]
  profiles?: string[]
  environment?: Record<string, string | number | null>
  healthcheck?: { test?: string[] | string; disable?: boolean }
  depends_on?: Record<string, { condition?: string }> | string[]
  user?: string
}
interface Compose {
  services: Record<string, ComposeService>
}

/** What Compose itself would run: the file with its anchors and merge keys resolved. */
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose

const readWorkers = Object.keys(compose.services).filter((name) => name.startsWith('read-worker'))

/** Every variable the processes read, from their zod schemas. */
const processVariables = [
  ...Object.keys(configSchema.shape),
  ...Object.keys(relayConfigSchema.shape),
  // The bare relay of packages/relay/src/cli.ts (crash tests).
  'TREC_STORE_SCHEMA',
]

/** Services that run once and exit: depended on with service_completed_successfully. */
function oneShots(c: Compose): Set<string> {
  const names = new Set<string>()
  for (const s of Object.values(c.services))
    if (s.depends_on && !Array.isArray(s.depends_on))
      for (const [name, d] of Object.entries(s.depends_on))
        if (d.condition === 'service_completed_successfully') names.add(name)
  return names
}

function checkHealthchecks(c: Compose) {
  const once = oneShots(c)
  expect(once).toEqual(new Set(['prepare']))
  for (const [name, s] of Object.entries(c.services)) {
    expect(s.healthcheck, `${name} has no healthcheck`).toBeDefined()
    // A one-shot job says explicitly that it has none (the image's HEALTHCHECK would fail it);
    // Compose writes `disable: true` as the test NONE.
    if (once.has(name)) expect([{ disable: true }, { test: ['NONE'] }], name).toContainEqual(s.healthcheck)
    else expect(s.healthcheck!.test, `${name} has no healthcheck test`).toBeDefined()
  }
}

describe('docker-compose.yml', () => {
  it('gives every long-running service a health check, and the one-shot job an explicit none', () => {
    checkHealthchecks(compose)
  })

  it('probes each kind of server the way it answers', () => {
    const test = (name: string) => JSON.stringify(compose.services[name]!.healthcheck!.test)
    expect(test('postgres')).toContain('pg_isready')
    expect(test('kafka')).toContain('kafka-broker-api-versions.sh')
    expect(test('kurrentdb')).toContain('/health/live')
    for (const name of [...serviceNames, 'relay', ...readWorkers])
      expect(test(name)).toBe('["CMD","node","infra/containers/healthcheck.mjs"]')
    expect(read('infra/containers/healthcheck.mjs')).toContain('/health/ready')
  })

  it('runs each write-side service alone in its own container, and the relay in another', () => {
    for (const name of serviceNames) expect(compose.services[name]!.environment!.TREC_SERVICES).toBe(name)
    expect(compose.services.relay!.command).toEqual(['node', 'services/app/src/relay-main.ts'])
    expect(compose.services.prepare!.command).toEqual(['node', 'services/app/src/prepare.ts'])
  })

  it('keeps the archive and compliance read models in two read workers consuming Kafka', () => {
    expect(readWorkers).toHaveLength(2)
    for (const name of readWorkers) {
      const s = compose.services[name]!
      expect(s.command).toEqual(['node', 'services/app/src/read-worker-main.ts'])
      expect(s.environment).toMatchObject({
        KAFKA_BROKERS: 'kafka:9092',
        TREC_SERVICES: 'archive,compliance',
      })
      expect(Object.keys(s.depends_on!)).toEqual(expect.arrayContaining(['postgres', 'kafka', 'prepare']))
    }
    for (const name of ['archive', 'compliance'])
      expect(compose.services[name]!.environment!.TREC_READ_MODELS).toBe('kafka')
  })

  it('starts a service only once what it needs is healthy or done', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (!s.depends_on) continue
      expect(Array.isArray(s.depends_on), `${name} depends_on has no conditions`).toBe(false)
      for (const [dependency, d] of Object.entries(s.depends_on)) {
        expect(compose.services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined()
        expect(['service_healthy', 'service_completed_successfully']).toContain(d.condition)
      }
    }
    expect(Object.keys(compose.services.relay!.depends_on!)).toEqual(
      expect.arrayContaining(['postgres', 'kafka', 'prepare']),
    )
  })

  it('uses Kafka 3.9 in KRaft mode and keeps KurrentDB behind its profile', () => {
    const kafka = compose.services.kafka!
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\.\d+$/)
    expect(kafka.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller')
    expect(compose.services.kurrentdb!.profiles).toEqual(['kurrentdb'])
  })

  it('passes the trec containers only variables the processes know', () => {
    for (const name of [...serviceNames, 'relay', 'prepare', ...readWorkers])
      for (const variable of Object.keys(compose.services[name]!.environment!))
        expect(processVariables, `${name}: ${variable}`).toContain(variable)
  })
})

describe('the image', () => {
  const dockerfile = read('infra/containers/Dockerfile')
  it('builds on Node 24 in two stages, installs from the lockfile, and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24[\w.-]*$/m)
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2)
    expect(dockerfile).toContain('--frozen-lockfile')
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^CMD \["node", "services\/app\/src\/main\.ts"\]$/m)
  })
  it('leaves local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n')
    for (const entry of ['**/node_modules', '.git', '.data', '.env']) expect(ignored).toContain(entry)
  })
})

describe('the configuration documentation', () => {
  it('describes every variable in .env.example and in the README table', () => {
    const example = read('.env.example')
    const readme = read('README.md')
    for (const variable of processVariables) {
      expect(example, `.env.example lacks ${variable}`).toMatch(new RegExp(`^#? ?${variable}=`, 'm'))
      expect(readme, `README lacks ${variable}`).toContain(`\`${variable}\``)
    }
  })
})

/** A Compose client that works without an engine: the v2 plugin, else docker-compose 1.x. */
function composeClient(): { command: string; args: string[] } | { skip: string } {
  const probes = [
    { command: 'docker', args: ['compose'] },
    { command: 'docker-compose', args: [] },
  ]
  for (const p of probes) {
    const r = spawnSync(p.command, [...p.args, 'version'], { encoding: 'utf8' })
    if (r.status === 0) return p
  }
  return { skip: 'no Compose client: neither `docker compose` nor `docker-compose` answers `version`' }
}

const client = composeClient()
const suite = 'skip' in client ? describe.skip : describe
suite('skip' in client ? `docker compose config (skipped: ${client.skip})` : 'docker compose config', () => {
  const run = (...extra: string[]) => {
    const { command, args } = client as { command: string; args: string[] }
    // An empty environment file: the result must not depend on a developer's .env.
    const envFile = join(mkdtempSync(join(tmpdir(), 'trec-compose-')), 'empty.env')
    writeFileSync(envFile, '')
    return execFileSync(
      command,
      [
        ...args,
        '--project-directory',
        root,
        '-f',
        join(root, 'docker-compose.yml'),
        '--env-file',
        envFile,
        ...extra,
        'config',
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    )
  }

  it('accepts the file, and every service it would start has a health check', () => {
    const resolved = parse(run()) as Compose
    // docker-compose 1.x lists profiled services too; Compose v2 only those of active profiles.
    expect(Object.keys(resolved.services)).toEqual(
      expect.arrayContaining([
        'assessment',
        'attendance',
        'kafka',
        'postgres',
        'prepare',
        'relay',
        'subsidy',
        'training',
      ]),
    )
    checkHealthchecks(resolved)
  })

  it('adds KurrentDB with its profile', () => {
    const resolved = parse(run('--profile', 'kurrentdb')) as Compose
    expect(resolved.services.kurrentdb?.healthcheck?.test).toBeDefined()
  })
})
