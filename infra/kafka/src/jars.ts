import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { KafkaInfraError } from './errors.ts'
import { findMaven } from './executables.ts'

/**
 * 3.9.x is the default because it still accepts every protocol version kafkajs 2.2.4 sends; 4.0 removed
 * old versions (KIP-896). 4.x lines resolve too (another logging profile), for a one-off check.
 */
export const defaultKafkaVersion = '3.9.2'

const packageDir = path.resolve(import.meta.dirname, '..')
export const pomFile = path.join(packageDir, 'pom.xml')
const completeStamp = '.complete'

export interface KafkaJars {
  version: string
  /** The directory holding every jar of the broker's runtime classpath. */
  libDir: string
  /** A JVM classpath for `libDir` (the JVM expands the trailing `*`). */
  classpath: string
  /** True when this call ran Maven; false when the cache already had the jars. */
  resolved: boolean
}

export interface ResolveKafkaJarsOptions {
  version?: string
  /** Where the jar directories live; default TREC_KAFKA_CACHE or infra/kafka/.work. */
  cacheDir?: string
  /** Progress lines while Maven runs (nothing is printed when the jars are cached). Default: stderr. */
  log?: (line: string) => void
  env?: NodeJS.ProcessEnv
}

export function kafkaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TREC_KAFKA_CACHE ? path.resolve(env.TREC_KAFKA_CACHE) : path.join(packageDir, '.work')
}

export function kafkaVersionFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.TREC_KAFKA_VERSION || defaultKafkaVersion
}

export function kafkaMajor(version: string): number {
  return Number(version.split('.')[0])
}

function assertVersion(version: string): void {
  // Only a plain release number: it ends up in a path and on Maven's command line.
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new KafkaInfraError(`Kafka version must look like 3.9.2, got ${JSON.stringify(version)}`, {
      version,
    })
  }
}

/**
 * The cache directory for one Kafka version. Its name carries a hash of pom.xml so an edited pom
 * (another logging pin, say) gets a fresh directory instead of a stale mix; one version per directory
 * because 3.x and 4.x jars on one `libs/*` classpath break the broker.
 */
export function kafkaLibDir(version: string, cacheDir: string): string {
  const pomHash = createHash('sha256').update(readFileSync(pomFile)).digest('hex').slice(0, 8)
  return path.join(cacheDir, `kafka_2.13-${version}-${pomHash}`)
}

export function kafkaJarsCached(options: ResolveKafkaJarsOptions = {}): boolean {
  const env = options.env ?? process.env
  const version = options.version ?? kafkaVersionFrom(env)
  assertVersion(version)
  return existsSync(path.join(kafkaLibDir(version, options.cacheDir ?? kafkaCacheDir(env)), completeStamp))
}

const stderrLog = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/**
 * Makes sure the broker jars of `version` are in the cache and returns their classpath. Cached: no
 * process starts and nothing is printed. Otherwise Maven copies kafka_2.13 and its runtime
 * dependencies (downloading what ~/.m2 lacks) into a private directory that is renamed into place only
 * when complete, so an interrupted run or two runs at once never leave a half-filled cache.
 */
export async function resolveKafkaJars(options: ResolveKafkaJarsOptions = {}): Promise<KafkaJars> {
  const env = options.env ?? process.env
  const version = options.version ?? kafkaVersionFrom(env)
  assertVersion(version)
  const cacheDir = options.cacheDir ?? kafkaCacheDir(env)
  const libDir = kafkaLibDir(version, cacheDir)
  const found = { version, libDir, classpath: path.join(libDir, '*') }
  if (existsSync(path.join(libDir, completeStamp))) return { ...found, resolved: false }

  const log = options.log ?? stderrLog
  const mvn = findMaven(env)
  if (!mvn) {
    throw new KafkaInfraError(
      `Kafka ${version} jars are not cached in ${libDir} and Maven (mvn) is not on PATH to resolve them`,
      { version, libDir },
    )
  }
  await mkdir(cacheDir, { recursive: true })
  const partial = `${libDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`
  const mavenLog = path.join(cacheDir, `maven-${version}.log`)
  const started = Date.now()
  log(
    `[kafka] resolving Kafka ${version} broker jars with Maven into ${libDir} (once; later runs reuse them)`,
  )
  try {
    await runMaven(mvn, version, partial, mavenLog, log)
    const jars = (await readdir(partial)).filter((name) => name.endsWith('.jar')).sort()
    if (!jars.some((name) => name.startsWith(`kafka_2.13-${version}`))) {
      throw new KafkaInfraError(`Maven finished but kafka_2.13-${version}.jar is not among the copied jars`, {
        version,
        mavenLog,
        jars,
      })
    }
    await writeFile(path.join(partial, completeStamp), `${jars.join('\n')}\n`)
    try {
      await rename(partial, libDir)
    } catch (error) {
      // Another process finished first: its directory is complete, ours is surplus.
      if (!existsSync(path.join(libDir, completeStamp))) throw error
    }
    log(`[kafka] ${jars.length} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await rm(partial, { recursive: true, force: true })
  }
  return { ...found, resolved: true }
}

function runMaven(
  mvn: string,
  version: string,
  outputDir: string,
  mavenLog: string,
  log: (line: string) => void,
): Promise<void> {
  // An active-by-default profile switches off as soon as another is named; `!kafka3` says it outright.
  const profile = kafkaMajor(version) >= 4 ? 'kafka4,!kafka3' : 'kafka3'
  const args = [
    '-B',
    '-Dstyle.color=never',
    '-f',
    pomFile,
    `-P${profile}`,
    `-Dkafka.version=${version}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outputDir}`,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const file = createWriteStream(mavenLog)
    const tail: string[] = []
    let downloads = 0
    let lastReport = 0
    const onLine = (line: string): void => {
      file.write(`${line}\n`)
      tail.push(line)
      if (tail.length > 60) tail.shift()
      // Maven prints one "[INFO] Downloaded from <repo>: <url> (<size> at <speed>)" line per file.
      const downloaded = /^(?:\[INFO\] )?Downloaded from [^:]+: (\S+) \(([^)]*?)(?: at [^)]*)?\)/.exec(line)
      if (downloaded) {
        downloads += 1
        const url = downloaded[1] ?? ''
        const now = Date.now()
        if (url.endsWith('.jar') || now - lastReport > 5000) {
          lastReport = now
          log(
            `[kafka]   downloaded ${url.slice(url.lastIndexOf('/') + 1)} (${downloaded[2]}), ${downloads} files so far`,
          )
        }
      } else if (line.startsWith('[ERROR]')) {
        log(`[kafka]   ${line}`)
      }
    }
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', onLine)
    child.on('error', (error) => {
      file.end()
      reject(new KafkaInfraError(`could not run Maven (${mvn})`, { mvn }, error))
    })
    child.on('close', (code, signal) => {
      file.end()
      if (code === 0) resolve()
      else
        reject(
          new KafkaInfraError(
            `Maven could not resolve Kafka ${version} (exit ${code ?? signal}); full output in ${mavenLog}\n${tail.join('\n')}`,
            { version, exitCode: code, signal, mavenLog, command: [mvn, ...args] },
          ),
        )
    })
  })
}
