/** A progress bar on stderr: redrawn in place on a terminal, a line every 10 % otherwise. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now()
  let lastTenth = -1
  return (done: number, total: number) => {
    const share = total === 0 ? 1 : done / total
    const seconds = (Date.now() - started) / 1000
    const rate = seconds > 0 ? Math.round(done / seconds) : 0
    const width = 30
    const filled = Math.round(share * width)
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${done}/${total} ${rate}/s`
    if (stream.isTTY) stream.write(`\r${line}${done >= total ? '\n' : ''}`)
    else if (Math.floor(share * 10) !== lastTenth || done >= total) {
      lastTenth = Math.floor(share * 10)
      stream.write(`${line}\n`)
    }
  }
}
