import { existsSync } from 'node:fs'

/**
 * The image the container fallback runs; TREC_KURRENTDB_IMAGE overrides it. `appendMany` needs
 * the multi-stream append of KurrentDB 25.1 or later (the module's own default is 25.0).
 */
export const defaultKurrentDbImage = 'kurrentplatform/kurrentdb:26.1.1'

export interface KurrentDbForTests {
  /** A `kurrentdb://` connection string. */
  url: string
  /** Stops what this call started; a no-op for KURRENTDB_URL (someone else's server). */
  stop(): Promise<void>
}

export interface KurrentDbForTestsOptions {
  env?: NodeJS.ProcessEnv
  /** How long the container-runtime check may take (default 3 s). */
  runtimeCheckTimeoutMs?: number
}

/**
 * Asks testcontainers whether it can reach a container runtime, without waiting longer than
 * `timeoutMs`. Answers undefined when one answers, else why not, with the facts an operator
 * would check first (testcontainers' own message only says no strategy worked).
 */
export async function containerRuntimeProblem(
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    await Promise.race([getContainerRuntimeClient(), timeout])
    return undefined
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const dockerHost = env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'DOCKER_HOST is not set'
    const socket = existsSync('/var/run/docker.sock')
      ? '/var/run/docker.sock exists'
      : '/var/run/docker.sock does not exist'
    return `${message}; ${dockerHost}; ${socket}`
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Where the KurrentDB for tests is: `KURRENTDB_URL` (used as given: if it does not answer, the
 * suite fails rather than skips, since someone asked for it), else a container started with
 * @testcontainers/kurrentdb when a container runtime answers. Otherwise `{ skip }` with the
 * reason, for the suite's `describe.skip` name.
 */
export async function kurrentDbForTests(
  options: KurrentDbForTestsOptions = {},
): Promise<KurrentDbForTests | { skip: string }> {
  const env = options.env ?? process.env
  if (env.KURRENTDB_URL) return { url: env.KURRENTDB_URL, stop: async () => {} }
  const problem = await containerRuntimeProblem(options.runtimeCheckTimeoutMs ?? 3000, env)
  if (problem !== undefined)
    return { skip: `no KurrentDB: KURRENTDB_URL is not set and no container runtime answers (${problem})` }
  const { KurrentDbContainer } = await import('@testcontainers/kurrentdb')
  const container = await new KurrentDbContainer(env.TREC_KURRENTDB_IMAGE || defaultKurrentDbImage).start()
  return {
    url: container.getConnectionString(),
    stop: async () => {
      await container.stop()
    },
  }
}
