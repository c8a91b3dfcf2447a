import { readdirSync, readFileSync } from 'node:fs'
import type pg from 'pg'

// CPU time from Linux /proc, to say where a run saturates: the app's process, the PostgreSQL
// server, the load generator, and the machine as a whole.

/** User + system CPU seconds of a process so far (clock ticks of 1/100 s); 0 if it is gone. */
export function processCpu(pid: number): number {
  return statCpu(`/proc/${pid}/stat`)
}

/** User + system CPU seconds so far of a process's main thread alone (its other threads left out). */
export function mainThreadCpu(pid: number): number {
  return threadCpu(pid, pid)
}

/** User + system CPU seconds so far of one thread (`tid`) of a process; 0 if it is gone. */
export function threadCpu(pid: number, tid: number | string): number {
  return statCpu(`/proc/${pid}/task/${tid}/stat`)
}

function statCpu(path: string): number {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/**
 * User + system CPU seconds so far of a process and of its live descendants (`npm start`: npm,
 * the launcher and the server it started).
 */
export function processTreeCpu(pid: number): number {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const ppid = Number(statFields(entry)?.[1])
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
  }
  let seconds = 0
  const visit = (p: number) => {
    seconds += processCpu(p)
    for (const c of children.get(p) ?? []) visit(c)
  }
  visit(pid)
  return seconds
}

/** Busy and total CPU seconds of the whole machine so far, all cores (iowait counts as idle). */
export function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
    const t = ticks.map(Number)
    const total = t.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = (t[3] ?? 0) + (t[4] ?? 0)
    return { busy: (total - idle) / 100, total: total / 100 }
  } catch {
    return { busy: 0, total: 0 }
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] is field 3 (state), [1] field 4 (ppid). */
function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  } catch {
    return undefined
  }
}

/** The PostgreSQL postmaster: the parent of this connection's backend. */
export async function postmasterOf(admin: pg.Client): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>('select pg_backend_pid() as pid')
  const ppid = Number(statFields(rows[0]!.pid)?.[1])
  return Number.isFinite(ppid) && ppid > 1 ? ppid : undefined
}

/**
 * CPU seconds so far of the whole PostgreSQL server (every database on it): the postmaster's own,
 * that of the children it has reaped (backends that closed, so connections opened and closed
 * during a window count), and that of its live children.
 */
export function postgresCpu(postmaster: number | undefined): number {
  if (postmaster === undefined) return 0
  const own = statFields(postmaster)
  if (!own) return 0
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const f = statFields(entry)
    if (f && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks / 100
}

export interface CpuSample {
  server: number
  postgres: number
  machine: { busy: number; total: number }
  at: number
}

export function sample(serverPid: number, postmaster: number | undefined): CpuSample {
  return {
    server: processCpu(serverPid),
    postgres: postgresCpu(postmaster),
    machine: machineCpu(),
    at: performance.now(),
  }
}

/** Shares of one core over the window (1 = one core busy the whole time), and the machine's busy share. */
export function cpuOver(a: CpuSample, b: CpuSample) {
  const seconds = (b.at - a.at) / 1000
  const total = b.machine.total - a.machine.total
  return {
    server: (b.server - a.server) / seconds,
    postgres: (b.postgres - a.postgres) / seconds,
    machineBusy: total > 0 ? (b.machine.busy - a.machine.busy) / total : 0,
  }
}
