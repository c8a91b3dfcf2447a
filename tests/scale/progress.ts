// Progress on stderr, as packages/generator/src/progress.ts draws it: redrawn in place
// on a terminal; otherwise a line at every tenth of the total (or every 30 s while the total is
// not known yet). Each line has the rate so far and, with a total, the time left at that rate.

const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`
}

export interface Progress {
  /** `done` of `total` (0 or less: not known). */
  update(done: number, total?: number, note?: string): void
  /** Ends the line (on a terminal) and prints the final count. */
  finish(note?: string): void
}

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now()
  let lastTenth = -1
  let lastLine = 0
  let last = { done: 0, total: 0, note: '' }
  const line = () => {
    const { done, total, note } = last
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    const width = 30
    const share = total > 0 ? Math.min(1, done / total) : 0
    const bar =
      total > 0
        ? ` [${'#'.repeat(Math.round(share * width))}${'.'.repeat(width - Math.round(share * width))}] ${(share * 100).toFixed(0).padStart(3)}%`
        : ''
    const left = total > 0 && rate > 0 && done < total ? `, ${clock((total - done) / rate)} left` : ''
    return `${label}${bar} ${done.toLocaleString('en')}${total > 0 ? `/${total.toLocaleString('en')}` : ''} ${Math.round(rate).toLocaleString('en')}/s, ${clock(seconds)}${left}${note ? ` ${note}` : ''}`
  }
  return {
    update(done, total = 0, note = '') {
      last = { done, total, note }
      if (stream.isTTY) {
        stream.write(`\r${line()}\u001b[K`)
        return
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : -1
      const now = performance.now()
      // The last line is finish()'s.
      if (total > 0 && done >= total) return
      if ((total > 0 && tenth !== lastTenth) || now - lastLine > 30_000) {
        lastTenth = tenth
        lastLine = now
        stream.write(`${line()}\n`)
      }
    },
    finish(note = '') {
      if (note) last.note = note
      stream.write(stream.isTTY ? `\r${line()}\u001b[K\n` : `${line()}\n`)
    },
  }
}
