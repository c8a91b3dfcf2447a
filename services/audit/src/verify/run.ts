import { availableParallelism } from 'node:os'
import { fail } from './failure.ts'
import { RunChecker, type RunResult } from './lines.ts'
import { RunPool } from './run-pool.ts'
import { asResult, ExportVerifier, type VerifyOptions, type VerifyResult } from './verifier.ts'

// Feeds an export to the verifier from any source of bytes (a file stream, an HTTP body, a
// Buffer in tests). After the header, the event lines go in runs of whole lines (`runBytes`) to
// worker threads, which check each line on its own; the results are merged in file order, so the
// first failure named is the first in the file, as with one thread. An export within one run is
// checked in this thread. Every line, the last one included, must end with a newline: a file
// that stops mid-line was cut short.

export interface Progress {
  bytes: number
  lines: number
}

const NEWLINE = 0x0a

export async function verifyExport(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: VerifyOptions,
  onChunk?: (progress: Progress) => void,
): Promise<VerifyResult> {
  const verifier = new ExportVerifier(options)
  const runBytes = options.runBytes ?? 4 << 20
  const threads = Math.max(1, options.threads ?? Math.min(8, availableParallelism()))
  let pool: RunPool | undefined
  let local: RunChecker | undefined
  /** Checks a run in this thread. */
  const here = (run: Buffer) => {
    local ??= new RunChecker(verifier.runSetup)
    verifier.merge(local.check(run))
  }
  let held: Buffer | undefined
  const inFlight: Promise<RunResult>[] = []

  /** A run of whole lines: checked here, or by the pool once there is more than one. */
  const dispatch = async (run: Buffer) => {
    if (threads === 1) return here(run)
    if (!pool && !held) {
      held = run
      return
    }
    pool ??= new RunPool(threads, verifier.runSetup)
    for (const r of held ? [held, run] : [run]) {
      const result = pool.check(r)
      result.catch(() => undefined) // merged (and its failure seen) in order below
      inFlight.push(result)
    }
    held = undefined
    while (inFlight.length > 2 * threads) verifier.merge(await inFlight.shift()!)
  }

  let parts: Buffer[] = []
  let partBytes = 0
  let bytes = 0
  let started = false
  try {
    for await (const chunk of source) {
      let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      bytes += buffer.length
      if (!started) {
        const end = buffer.indexOf(NEWLINE)
        if (end === -1) {
          parts.push(buffer)
          continue
        }
        const header = Buffer.concat([...parts, buffer.subarray(0, end)])
        parts = []
        await verifier.header(header)
        started = true
        buffer = buffer.subarray(end + 1)
      }
      parts.push(buffer)
      partBytes += buffer.length
      if (partBytes >= runBytes) {
        const last = buffer.lastIndexOf(NEWLINE)
        if (last !== -1) {
          parts[parts.length - 1] = buffer.subarray(0, last + 1)
          await dispatch(Buffer.concat(parts))
          parts = [buffer.subarray(last + 1)]
          partBytes = parts[0]!.length
        }
      }
      onChunk?.({ bytes, lines: verifier.lines })
    }
    const rest = Buffer.concat(parts)
    const last = rest.lastIndexOf(NEWLINE)
    if (last !== -1) await dispatch(rest.subarray(0, last + 1))
    if (held) here(held)
    while (inFlight.length > 0) verifier.merge(await inFlight.shift()!)
    if (last + 1 < rest.length)
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
