import { open } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { fail } from './failure.ts'
import { RunChecker } from './lines.ts'
import { type Checked, RunPool } from './run-pool.ts'
import { asResult, ExportVerifier, type VerifyOptions, type VerifyResult } from './verifier.ts'

// Feeds an export to the verifier, from a file or any source of chunks (an HTTP body, Buffers in
// tests). The bytes go into run buffers of `runBytes`; after the header, each full buffer's whole
// lines are a run, checked by worker threads, each line on its own; the results are merged in
// file order, so the first failure named is the first in the file, as with one thread. An export
// within one run is checked in this thread. A run's buffer travels to its thread and back, and is
// filled again: a file is read straight into it, with no copy and no fresh memory per run. Every
// line, the last one included, must end with a newline: a file that stops mid-line was cut short.

export interface Progress {
  bytes: number
  lines: number
}

const NEWLINE = 0x0a

/** Reads into `target` from `offset` on: how many bytes it read, 0 at the end. */
type Fill = (target: Buffer, offset: number) => Promise<number>

/** Verifies the export in a file. */
export async function verifyFile(
  path: string,
  options: VerifyOptions,
  onProgress?: (progress: Progress) => void,
): Promise<VerifyResult> {
  const file = await open(path)
  try {
    const fill: Fill = async (target, offset) =>
      (await file.read(target, offset, target.length - offset, null)).bytesRead
    return await verify(fill, options, onProgress)
  } finally {
    await file.close()
  }
}

/** Verifies an export arriving in chunks. */
export function verifyExport(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: VerifyOptions,
  onProgress?: (progress: Progress) => void,
): Promise<VerifyResult> {
  const chunks = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  let chunk: Uint8Array = new Uint8Array(0)
  let at = 0
  const fill: Fill = async (target, offset) => {
    while (at === chunk.length) {
      const next = await chunks.next()
      if (next.done) return 0
      chunk = next.value
      at = 0
    }
    const n = Math.min(chunk.length - at, target.length - offset)
    target.set(chunk.subarray(at, at + n), offset)
    at += n
    return n
  }
  return verify(fill, options, onProgress)
}

async function verify(
  fill: Fill,
  options: VerifyOptions,
  onProgress?: (progress: Progress) => void,
): Promise<VerifyResult> {
  const verifier = new ExportVerifier(options)
  const runBytes = options.runBytes ?? 4 << 20
  const threads = Math.max(1, options.threads ?? Math.min(8, availableParallelism()))
  /** Run buffers free to be filled again. */
  const spare: Buffer[] = []
  const take = () => spare.pop() ?? Buffer.allocUnsafeSlow(runBytes)
  const whole = (run: Uint8Array) => Buffer.from(run.buffer, 0, run.buffer.byteLength)
  let pool: RunPool | undefined
  let local: RunChecker | undefined
  /** Checks a run in this thread. */
  const here = (run: Buffer) => {
    local ??= new RunChecker(verifier.runSetup)
    verifier.merge(local.check(run))
    spare.push(whole(run))
  }
  const merge = ({ result, run }: Checked) => {
    verifier.merge(result)
    spare.push(whole(run))
  }
  let held: Buffer | undefined
  const inFlight: Promise<Checked>[] = []

  /** A run of whole lines: checked here, or by the pool once there is more than one. */
  const dispatch = async (run: Buffer) => {
    if (threads === 1) return here(run)
    if (!pool && !held) {
      held = run
      return
    }
    pool ??= new RunPool(threads, verifier.runSetup)
    for (const r of held ? [held, run] : [run]) {
      const checked = pool.check(r)
      checked.catch(() => undefined) // merged (and its failure seen) in order below
      inFlight.push(checked)
    }
    held = undefined
    while (inFlight.length > 2 * threads) merge(await inFlight.shift()!)
  }

  let buffer = take()
  /** Bytes in `buffer`; the lines not yet passed on start at `start`. */
  let filled = 0
  let start = 0
  let bytes = 0
  let started = false
  try {
    for (;;) {
      const n = await fill(buffer, filled)
      if (n === 0) break
      filled += n
      bytes += n
      if (!started) {
        const end = buffer.subarray(0, filled).indexOf(NEWLINE)
        if (end !== -1) {
          await verifier.header(buffer.subarray(0, end))
          started = true
          start = end + 1
        }
      }
      if (filled === buffer.length) {
        const last = started ? buffer.lastIndexOf(NEWLINE, filled - 1) : -1
        if (last < start) {
          // A line longer than the buffer: a bigger one.
          const bigger = Buffer.allocUnsafeSlow(2 * buffer.length)
          buffer.copy(bigger, 0, 0, filled)
          buffer = bigger
        } else {
          const tail = filled - last - 1
          const next = 2 * tail <= runBytes ? take() : Buffer.allocUnsafeSlow(2 * tail)
          filled = buffer.copy(next, 0, last + 1, filled)
          const run = buffer.subarray(start, last + 1)
          buffer = next
          start = 0
          await dispatch(run)
        }
      }
      onProgress?.({ bytes, lines: verifier.lines })
    }
    const last = started && filled > start ? buffer.lastIndexOf(NEWLINE, filled - 1) : -1
    if (last >= start) await dispatch(buffer.subarray(start, last + 1))
    if (held) here(held)
    while (inFlight.length > 0) merge(await inFlight.shift()!)
    if (filled > Math.max(start, last + 1))
      fail(
        verifier.lines + 1,
        'truncated',
        `the file ends inside line ${verifier.lines + 1} (no final newline)`,
      )
    return { ok: true, report: verifier.finish() }
  } catch (error) {
    return asResult(error)
  } finally {
    await pool?.close()
  }
}
