import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'

// A thread's niceness is field 19 of its /proc stat line (after the command's closing parenthesis,
// the 17th field).
const niceOf = (stat: string) => Number(stat.split(') ')[1]!.split(' ')[16])

describe.skipIf(process.platform !== 'linux')('lowerThreadPriority', () => {
  it('lowers the calling thread only, not the process', async () => {
    const module = new URL('../src/thread-priority.ts', import.meta.url).href
    const worker = new Worker(
      `const { readFileSync } = require('node:fs')
       const { parentPort } = require('node:worker_threads')
       import(${JSON.stringify(module)}).then(({ lowerThreadPriority }) => {
         const before = readFileSync('/proc/thread-self/stat', 'utf8')
         const reason = lowerThreadPriority(7)
         parentPort.postMessage({ before, reason, after: readFileSync('/proc/thread-self/stat', 'utf8') })
       })`,
      { eval: true },
    )
    const [answer] = (await new Promise((resolve, reject) => {
      worker.once('message', (m) => resolve([m]))
      worker.once('error', reject)
    })) as [{ before: string; reason?: string; after: string }]
    await worker.terminate()
    expect(answer.reason).toBeUndefined()
    expect(niceOf(answer.after)).toBe(niceOf(answer.before) + 7)
    // The request thread (this one) keeps its priority.
    expect(niceOf(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'))).toBe(niceOf(answer.before))
  })
})
