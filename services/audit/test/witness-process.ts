import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

// A reference witness (services/audit/src/witness/main.ts) as its own process, for the tests.

const main = join(import.meta.dirname, '../src/witness/main.ts')

export interface Running {
  url: string
  key: string
  child: ChildProcess
}

/** Starts a witness process and waits (at most 20 s) for it to say where it listens. */
export function startWitness(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no witness after 20 s:\n${out}`)), 20_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk
      const url = /listening on (\S+)/.exec(out)?.[1]
      const key = /witness key: (\S+)/.exec(out)?.[1]
      if (url && key) {
        clearTimeout(timer)
        resolve({ url, key, child })
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk
    })
    child.once('exit', (code) => reject(new Error(`the witness exited (${code}):\n${out}`)))
  })
}
