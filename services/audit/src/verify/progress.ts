// A one-line progress bar on stderr: share of the file read, lines, and lines per second.

export function progressBar(totalBytes: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now()
  let last = 0
  let seen = { bytes: 0, lines: 0 }
  const draw = (bytes: number, lines: number) => {
    const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1
    const width = 30
    const filled = Math.round(share * width)
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? Math.round(lines / seconds) : 0
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${lines.toLocaleString('en')} lines  ${rate.toLocaleString('en')}/s `,
    )
  }
  return {
    update({ bytes, lines }: { bytes: number; lines: number }) {
      seen = { bytes, lines }
      const now = performance.now()
      if (now - last < 100) return
      last = now
      draw(bytes, lines)
    },
    done() {
      draw(seen.bytes, seen.lines)
      stream.write('\n')
    },
  }
}
