import { accessSync, constants } from 'node:fs'
import path from 'node:path'

/** The absolute path of `name` on PATH, or undefined: a cheap presence check that starts no process. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here: keep looking
    }
  }
  return undefined
}

/** The `java` to run: $JAVA_HOME/bin/java when JAVA_HOME is set (as Kafka's own scripts do), else PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.JAVA_HOME) {
    const candidate = path.join(env.JAVA_HOME, 'bin', 'java')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // a stale JAVA_HOME: fall back to PATH
    }
  }
  return findOnPath('java', env)
}

export function findMaven(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('mvn', env)
}
