import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { brokerProperties, loggingConfig, newClusterId } from './config.ts'
import { KafkaInfraError } from './errors.ts'
import { findJava } from './executables.ts'
import { resolveKafkaJars } from './jars.ts'
import { guardOrphan } from './orphan-guard.ts'
import { freePorts, portAccepts } from './ports.ts'

export interface StartKafkaBrokerOptions {
  /** Kafka release to run; default TREC_KAFKA_VERSION or 3.9.2. */
  version?: string
  /** Jar cache; default TREC_KAFKA_CACHE or infra/kafka/.work. */
  cacheDir?: string
  /** Client port on 127.0.0.1; default a free one. */
  port?: number
  /** KRaft controller port on 127.0.0.1; default a free one. */
  controllerPort?: number
  /** Partitions of auto-created topics (default 3). */
  numPartitions?: number
  /**
   * Extra server.properties entries; they win over the defaults (config.ts). E.g. a crash restart
   * waits for the old registration's session to expire (`broker.session.timeout.ms`, 9 s by default).
   */
  overrides?: Record<string, string | number | boolean>
  /** JVM -Xmx; default TREC_KAFKA_HEAP or 512m. */
  maxHeap?: string
  /** Extra JVM flags, appended after the defaults (so they win). */
  jvmArgs?: string[]
  /** Root log level of the broker log (default TREC_KAFKA_LOG_LEVEL or WARN). */
  logLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG'
  /** How long to wait for the broker to answer (default 120 s; a cold 2-core machine needs ~10-20 s). */
  startTimeoutMs?: number
  /** After SIGTERM, how long to wait for a clean shutdown before SIGKILL (default 20 s). */
  stopGraceMs?: number
  /** Progress lines (jar resolution only); default stderr. */
  log?: (line: string) => void
  env?: NodeJS.ProcessEnv
}

export interface RestartOptions {
  /** SIGTERM (default) shuts down cleanly; SIGKILL simulates a crash. */
  signal?: 'SIGTERM' | 'SIGKILL'
}

export interface KafkaBroker {
  /** Bootstrap addresses for clients, e.g. ['127.0.0.1:40123']. */
  readonly brokers: string[]
  /** PID of the broker JVM (changes on restart). */
  readonly pid: number
  /** The broker's stdout/stderr; removed by stop() with the rest of `dir`. */
  readonly logFile: string
  /** The temp directory holding config, data and log. */
  readonly dir: string
  readonly port: number
  readonly controllerPort: number
  readonly version: string
  /** Kills the JVM (SIGTERM, SIGKILL after the grace period) and removes `dir`. Safe to call twice. */
  stop(): Promise<void>
  /** Stops the JVM and starts it again on the same ports and data; resolves once it answers again. */
  restart(options?: RestartOptions): Promise<void>
}

interface Running {
  child: ChildProcess
  pid: number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  hasExited: () => boolean
  unguard: () => void
}

function jvmFlags(maxHeap: string): string[] {
  return [
    // Bounded memory for a machine shared with other work; Kafka's own default is -Xmx1G -Xms1G.
    '-Xms128m',
    `-Xmx${maxHeap}`,
    '-XX:MaxMetaspaceSize=256m',
    '-XX:MaxDirectMemorySize=256m',
    // Kafka's stock GC flags (bin/kafka-run-class.sh).
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    // C1 only: starts faster and burns less CPU compiling; a test broker never needs C2's peak speed.
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ]
}

/** Whether `promise` settles within `ms`; the timer is cleared either way so it never holds Node open. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const abort = new AbortController()
  try {
    return await Promise.race([
      promise.then(() => true),
      sleep(ms, false, { signal: abort.signal }).catch(() => false),
    ])
  } finally {
    abort.abort()
  }
}

/**
 * The last `lines` lines of the broker log, with each Java stack trace cut to its first frames: a failed
 * start prints several long traces after the one line that says why (e.g. "Address already in use").
 */
async function tail(file: string, lines = 40): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return '(no broker log)'
  }
  const kept: string[] = []
  let frames = 0
  for (const line of text.trimEnd().split('\n')) {
    const isFrame = /^\s+(at |\.\.\. \d+ more)/.test(line)
    frames = isFrame ? frames + 1 : 0
    if (frames <= 2) kept.push(line)
    else if (frames === 3) kept.push('\t...')
  }
  return kept.slice(-lines).join('\n')
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

/** Answers a real metadata request (not just an open socket) and lists this broker. */
async function describesCluster(broker: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'trec-kafka-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin()
  try {
    await admin.connect()
    const cluster = await admin.describeCluster()
    return cluster.brokers.some((b) => `${b.host}:${b.port}` === broker)
  } catch {
    return false
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * Starts a single-node KRaft Kafka (broker and controller in one JVM) from the cached Maven jars,
 * in a fresh temp directory, on free 127.0.0.1 ports, and resolves once it answers a metadata request.
 */
export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const env = options.env ?? process.env
  const java = findJava(env)
  if (!java)
    throw new KafkaInfraError('java is not on PATH (nor in JAVA_HOME): a local Kafka broker needs Java 17')
  const jars = await resolveKafkaJars({
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.log === undefined ? {} : { log: options.log }),
    env,
  })
  const version = jars.version
  const [freeA, freeB] = await freePorts(2)
  const port = options.port ?? freeA!
  const controllerPort = options.controllerPort ?? (freeB === port ? freeA! : freeB!)
  const maxHeap = options.maxHeap ?? env.TREC_KAFKA_HEAP ?? '512m'
  const level = options.logLevel ?? env.TREC_KAFKA_LOG_LEVEL ?? 'WARN'
  const startTimeoutMs = options.startTimeoutMs ?? 120_000
  const stopGraceMs = options.stopGraceMs ?? 20_000
  const broker = `127.0.0.1:${port}`

  const dir = await mkdtemp(path.join(os.tmpdir(), 'trec-kafka-'))
  const dataDir = path.join(dir, 'data')
  const propertiesFile = path.join(dir, 'server.properties')
  const logFile = path.join(dir, 'broker.log')
  const logging = loggingConfig(version, level)
  const loggingFile = path.join(dir, logging.file)
  const details = { version, port, controllerPort, dir, logFile }

  let running: Running | undefined
  let stopped = false

  const launch = (): Running => {
    const fd = openSync(logFile, 'a')
    let child: ChildProcess
    try {
      child = spawn(
        java,
        [
          ...jvmFlags(maxHeap),
          ...(options.jvmArgs ?? []),
          logging.jvmFlag(loggingFile),
          '-cp',
          jars.classpath,
          'kafka.Kafka',
          propertiesFile,
        ],
        // Own process group: a Ctrl-C meant for the CLI or test runner must not hit the JVM directly;
        // stop() decides how it ends. The log goes straight to a file, so it outlives this process.
        { cwd: dir, detached: true, stdio: ['ignore', fd, fd] },
      )
    } finally {
      closeSync(fd)
    }
    if (child.pid === undefined) throw new KafkaInfraError('the broker JVM did not start', details)
    child.unref()
    let done = false
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true
        resolve({ code, signal })
      })
    })
    const unguard = guardOrphan(child.pid, dir)
    return { child, pid: child.pid, exited, hasExited: () => done, unguard }
  }

  const waitReady = async (current: Running): Promise<void> => {
    const deadline = Date.now() + startTimeoutMs
    while (Date.now() < deadline) {
      if (current.hasExited()) {
        const { code, signal } = await current.exited
        throw new KafkaInfraError(
          `Kafka broker exited during start-up (exit ${code ?? signal}); last lines of ${logFile}:\n${await tail(logFile)}`,
          { ...details, exitCode: code, signal },
        )
      }
      // The client port opens only once the broker is unfenced and serving (SocketServer defers the
      // acceptor), so an open port is the cheap signal; the metadata request confirms it answers.
      if ((await portAccepts(port)) && (await describesCluster(broker))) return
      await sleep(250)
    }
    throw new KafkaInfraError(
      `Kafka broker did not answer on ${broker} within ${startTimeoutMs} ms; last lines of ${logFile}:\n${await tail(logFile)}`,
      { ...details, timeoutMs: startTimeoutMs },
    )
  }

  const stopJvm = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const current = running
    if (!current) return
    if (!current.hasExited()) {
      try {
        process.kill(current.pid, signal)
      } catch {
        // exited in between
      }
      // kafka.Kafka's shutdown hook shuts down cleanly on SIGTERM; SIGKILL only after the grace period.
      // (The timer also keeps Node alive while waiting: the child itself is unref'd.)
      const exitedInTime = await within(current.exited, signal === 'SIGKILL' ? 5000 : stopGraceMs)
      if (!exitedInTime && !current.hasExited()) {
        try {
          process.kill(current.pid, 'SIGKILL')
        } catch {
          // exited in between
        }
        await within(current.exited, 10_000)
      }
    }
    current.unguard()
    running = undefined
  }

  const startJvm = async (): Promise<void> => {
    const current = launch()
    running = current
    try {
      await waitReady(current)
    } catch (error) {
      await stopJvm('SIGKILL')
      throw error
    }
  }

  try {
    await mkdir(dataDir)
    await writeFile(
      propertiesFile,
      brokerProperties({
        port,
        controllerPort,
        dataDir,
        numPartitions: options.numPartitions ?? 3,
        kafkaVersion: version,
        overrides: options.overrides ?? {},
      }),
    )
    await writeFile(loggingFile, logging.text)
    // `kafka-storage format` without the shell script; the id is made here, so no extra JVM start
    // for `random-uuid` is needed.
    const clusterId = newClusterId()
    const format = await run(
      java,
      [
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        logging.jvmFlag(loggingFile),
        '-cp',
        jars.classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propertiesFile,
      ],
      dir,
    )
    if (format.code !== 0) {
      throw new KafkaInfraError(
        `formatting Kafka storage failed (exit ${format.code}):\n${format.output.trim()}`,
        details,
      )
    }
    await writeFile(
      logFile,
      `# kafka ${version} on ${broker}, controller 127.0.0.1:${controllerPort}\n${format.output}`,
    )
    await startJvm()
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }

  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation, operation)
    queue = next.catch(() => undefined)
    return next
  }

  return {
    brokers: [broker],
    get pid() {
      return running?.pid ?? -1
    },
    logFile,
    dir,
    port,
    controllerPort,
    version,
    stop: () =>
      serial(async () => {
        if (stopped) return
        stopped = true
        await stopJvm('SIGTERM')
        await rm(dir, { recursive: true, force: true })
      }),
    restart: (restartOptions: RestartOptions = {}) =>
      serial(async () => {
        if (stopped)
          throw new KafkaInfraError('restart() after stop(): the broker and its data are gone', details)
        const signal = restartOptions.signal ?? 'SIGTERM'
        await stopJvm(signal)
        await appendFile(logFile, `# restart after ${signal}\n`)
        await startJvm()
      }),
  }
}
