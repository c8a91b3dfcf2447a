import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// The Java client, made the way a Java integrator makes it: Maven runs openapi-generator
// (`java`, library `native`) on the committed contract into java/target/ (git-ignored), compiles
// it with the journey (java/src), and runs the journey with exec:java. Maven's local repository
// is the user's usual one, so a second run downloads nothing.

const project = join(import.meta.dirname, 'java')
const generated = join(project, 'target/generated-sources/openapi/src/main/java/org/trec/client')

/** Why the Java client cannot be built here (no JDK or no Maven), or undefined when it can. */
export function javaUnavailable(): string | undefined {
  for (const [tool, args] of [
    ['java', ['-version']],
    ['mvn', ['-v']],
  ] as const) {
    const probe = spawnSync(tool, args, { encoding: 'utf8' })
    if (probe.error || probe.status !== 0)
      return `${tool} is not installed (the Java client needs a JDK 17 and Maven)`
  }
  return undefined
}

/**
 * Maven in java/ with these goals, quiet and non-interactive: its status and what it printed.
 * Asynchronous, so that a server in the test's own process answers the journey meanwhile.
 */
export function maven(
  goals: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', ['-B', '-q', ...goals], {
      cwd: project,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, output }))
  })
}

/** The generated model classes, and the public methods of the generated API classes by class. */
export function generatedJavaNames(): { models: string[]; methods: Map<string, string[]> } {
  const models = readdirSync(join(generated, 'model'))
    .filter((f) => f.endsWith('.java'))
    .map((f) => f.slice(0, -'.java'.length))
  const methods = new Map<string, string[]>()
  for (const file of readdirSync(join(generated, 'api')).filter((f) => f.endsWith('Api.java'))) {
    const source = readFileSync(join(generated, 'api', file), 'utf8')
    const names = [...source.matchAll(/^ {2}public (?!static)[\w<>, ]+ (\w+)\(/gm)].map((m) => m[1] as string)
    methods.set(file.slice(0, -'.java'.length), [...new Set(names)])
  }
  return { models, methods }
}
