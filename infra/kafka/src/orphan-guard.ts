import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'

// Stops a broker JVM whose Node owner died without calling stop(): a killed test worker or a crashed
// CLI must not leave a JVM holding ports and half a GiB of heap on a shared machine.
//
// Two layers: an 'exit' hook for ordinary exits (uncaught errors, process.exit), and a tiny detached
// shell that polls both PIDs once a second and sends the JVM SIGTERM (SIGKILL after a grace period)
// once the owner is gone, which also covers SIGKILL and signals Node does not turn into 'exit'; it then
// removes the broker's temp directory as stop() would have.
const watchScript = [
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
  'if ! kill -0 "$1" 2>/dev/null; then',
  '  kill -TERM "$2" 2>/dev/null',
  '  i=0; while kill -0 "$2" 2>/dev/null && [ "$i" -lt 15 ]; do sleep 1; i=$((i+1)); done',
  '  kill -KILL "$2" 2>/dev/null',
  '  [ -n "$3" ] && rm -rf "$3"',
  'fi',
].join('\n')

/** Starts guarding `pid` (and its temp `dir`); call the returned function once the JVM was stopped on purpose. */
export function guardOrphan(pid: number, dir: string): () => void {
  const watcher = spawn(
    'sh',
    ['-c', watchScript, 'kafka-orphan-guard', String(process.pid), String(pid), dir],
    {
      detached: true,
      stdio: 'ignore',
    },
  )
  watcher.on('error', () => {
    // no sh: the exit hook below still covers ordinary exits
  })
  watcher.unref()
  const exitHook = (): void => {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', exitHook)
  return () => {
    process.removeListener('exit', exitHook)
    // The watcher ends by itself within a second of the JVM's exit.
  }
}
