import { cpus, loadavg, totalmem } from 'node:os'
import type pg from 'pg'

export interface MachineFacts {
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
  postgres: string
  settings: Record<string, string>
  date: string
}

// Settings that decide what a commit costs (durability) and how much fits in memory.
const settingNames = [
  'synchronous_commit',
  'fsync',
  'wal_sync_method',
  'full_page_writes',
  'shared_buffers',
  'max_connections',
]

export async function machineFacts(db: {
  query<R extends pg.QueryResultRow>(sql: string): Promise<pg.QueryResult<R>>
}): Promise<MachineFacts> {
  const { rows } = await db.query<{ name: string; setting: string }>(
    `select name, current_setting(name) as setting from pg_settings
     where name in (${settingNames.map((n) => `'${n}'`).join(', ')}) or name = 'server_version'`,
  )
  const settings: Record<string, string> = {}
  for (const n of settingNames) settings[n] = rows.find((r) => r.name === n)?.setting ?? '?'
  // os.cpus() reads the model name from /proc/cpuinfo on Linux.
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: rows.find((r) => r.name === 'server_version')?.setting ?? '?',
    settings,
    date: new Date().toISOString(),
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')
}
