import { fail } from './failure.ts'
import { asResult, ExportVerifier, type VerifyOptions, type VerifyResult } from './verifier.ts'

// Feeds an export to the verifier from any source of bytes (a file stream, an HTTP body, a
// Buffer in tests), splitting it into lines without copying them. Every line, the last one
// included, must end with a newline: a file that stops mid-line was cut short.

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
  let carry: Buffer | undefined
  let started = false
  let bytes = 0
  try {
    for await (const chunk of source) {
      let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      bytes += buffer.length
      if (carry) {
        buffer = Buffer.concat([carry, buffer])
        carry = undefined
      }
      let start = 0
      for (;;) {
        const end = buffer.indexOf(NEWLINE, start)
        if (end === -1) break
        const line = buffer.subarray(start, end)
        if (started) verifier.event(line)
        else {
          await verifier.header(line)
          started = true
        }
        start = end + 1
      }
      if (start < buffer.length) carry = buffer.subarray(start)
      onChunk?.({ bytes, lines: verifier.lines })
    }
    if (carry && carry.length > 0)
      fail(
        verifier.lines + 1,
        'truncated',
        `the file ends inside line ${verifier.lines + 1} (no final newline)`,
      )
    return { ok: true, report: verifier.finish() }
  } catch (error) {
    return asResult(error)
  }
}
