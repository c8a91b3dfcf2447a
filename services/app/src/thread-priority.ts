import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'

/**
 * Lowers the calling thread's CPU priority to `nice` (0 leaves it; Linux only, where a thread has
 * a niceness of its own). The read side's thread calls it so that, on a machine whose cores are
 * all busy, the request thread is scheduled first: a request, a refusal under overload too, waits
 * for the thread that reads it, while the read side's work can wait a moment and catch up. Raising
 * a niceness needs no privilege. Returns why it was not applied, if it was not.
 */
export function lowerThreadPriority(nice: number): string | undefined {
  if (nice === 0) return undefined
  if (process.platform !== 'linux') return `a thread's own priority is Linux only (here: ${process.platform})`
  try {
    // "<pid>/task/<tid>": the thread's id, which setpriority(2) takes for that thread alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    setPriority(tid, nice)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
