import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { postgresForTests } from '@trec/eventstore/testing'
import pg from 'pg'
import { freePorts } from './ports.ts'

// The PostgreSQL a chaos run writes to. Preferably a throwaway cluster of its own (initdb in a
// temporary directory, on a free loopback port) that it can crash and restart; initdb refuses to
// run as root, so as root the cluster is made and run as the `postgres` user through runuser. When
// no cluster can be made, the run falls back to an existing server (DATABASE_URL, else
// 127.0.0.1:5432) in a database of its own, and says that the restart fault is skipped and why.

const run = promisify(execFile)

export interface ChaosPostgres {
  /** Connection string of the run's database. */
  url: string
  /** What it is, for the report. */
  description: string
  /** Why PostgreSQL cannot be restarted by the run (an existing server is not ours); absent when it can. */
  restartSkipped?: string
  /** Stops the server (immediate: a crash, WAL recovery on start; fast: a clean shutdown) and starts it again. */
  restart(mode: 'immediate' | 'fast'): Promise<void>
  /** Stops and removes what the run made. */
  stop(): Promise<void>
}

async function binDir(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pg_config', ['--bindir'])
    const dir = stdout.trim()
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir
  } catch {
    // no pg_config: look on PATH
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir
  return undefined
}

/** How to run the server's tools: directly, or as `postgres` through runuser when we are root. */
async function runner(): Promise<{ prefix: string[]; owner?: { uid: number; gid: number } } | string> {
  if (process.getuid?.() !== 0) return { prefix: [] }
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
    await run('runuser', ['-u', 'postgres', '--', 'true'])
    return { prefix: ['runuser', '-u', 'postgres', '--'], owner: { uid, gid } }
  } catch (error) {
    return `running as root, and initdb cannot run as the postgres user through runuser (${(error as Error).message.split('\n')[0]})`
  }
}

async function throwaway(log: (line: string) => void): Promise<ChaosPostgres | string> {
  const bin = await binDir()
  if (!bin) return 'initdb/pg_ctl not found (neither through pg_config --bindir nor on PATH)'
  const as = await runner()
  if (typeof as === 'string') return as
  const dir = await mkdtemp(join(tmpdir(), 'trec-chaos-pg-'))
  try {
    if (as.owner) await chown(dir, as.owner.uid, as.owner.gid)
    const data = join(dir, 'data')
    const logFile = join(dir, 'postgres.log')
    const [port] = await freePorts(1)
    const tool = async (name: string, args: string[]) => {
      const [cmd, ...rest] = [...as.prefix, join(bin, name), ...args]
      return run(cmd!, rest, { cwd: dir, timeout: 120_000 })
    }
    log(`postgres: initdb in ${data}${as.owner ? ' (as the postgres user)' : ''}`)
    await tool('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ])
    await appendFile(
      join(data, 'postgresql.conf'),
      [
        '',
        '# chaos run',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'max_connections = 300',
        'shared_buffers = 128MB',
        'fsync = on',
        'synchronous_commit = on',
        "idle_in_transaction_session_timeout = '60s'",
        '',
      ].join('\n'),
    )
    const start = () => tool('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '120', 'start'])
    const stopServer = (mode: 'immediate' | 'fast') =>
      tool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop'])
    await start()
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    let stopped = false
    return {
      url,
      description: `a throwaway PostgreSQL cluster (${bin}) on 127.0.0.1:${port}`,
      async restart(mode) {
        await stopServer(mode)
        await start()
      },
      async stop() {
        if (stopped) return
        stopped = true
        await stopServer('fast').catch(() => stopServer('immediate').catch(() => undefined))
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    return `could not make a throwaway cluster: ${(error as Error).message.split('\n')[0]}`
  }
}

/** An existing server, in a fresh database of the run's own (dropped at the end). */
async function existing(why: string): Promise<ChaosPostgres> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const name = `trec_chaos_${randomUUID().replaceAll('-', '').slice(0, 10)}`
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    description: `the existing server at ${url.host}, database ${name}`,
    restartSkipped: `${why}, and an existing server is not the run’s to restart`,
    async restart() {
      throw new Error('this PostgreSQL is not the run’s to restart')
    },
    async stop() {
      const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 })
      await client.connect()
      try {
        await client.query(`drop database if exists ${name} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * The run's PostgreSQL: a throwaway cluster, or with TREC_CHAOS_POSTGRES=existing (or when none can
 * be made) a database of its own on the server at DATABASE_URL.
 */
export async function startPostgres(log: (line: string) => void): Promise<ChaosPostgres> {
  if (process.env.TREC_CHAOS_POSTGRES === 'existing')
    return existing('TREC_CHAOS_POSTGRES=existing chose an existing server')
  const own = await throwaway(log)
  if (typeof own !== 'string') return own
  log(`postgres: ${own}; falling back to an existing server`)
  return existing(`no PostgreSQL of the run’s own (${own})`)
}

/** Whether a run can have a PostgreSQL: a cluster of its own, or else an existing server. */
export async function postgresAvailable(): Promise<{ skip?: string }> {
  const bin = await binDir()
  const as = bin ? await runner() : 'initdb/pg_ctl not found'
  if (typeof as !== 'string') return {}
  const server = await postgresForTests()
  return 'skip' in server ? { skip: `no PostgreSQL: ${as}; ${server.skip}` } : {}
}
