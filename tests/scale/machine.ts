import { cpus, loadavg, totalmem } from 'node:os'
import type pg from 'pg'

/** The 1/5/15-minute load averages, as the other benches print them. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

export const machine = () =>
  `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`

/** The PostgreSQL settings a reader needs to compare runs. */
export async function postgresSettings(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
    `select name, setting, unit from pg_settings
      where name in ('server_version', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_wal_size')`,
  )
  const s = Object.fromEntries(rows.map((r) => [r.name, r]))
  const size = (name: string) => {
    const r = s[name]
    if (!r) return '?'
    const unit = r.unit === '8kB' ? 8192 : r.unit === 'MB' ? 2 ** 20 : r.unit === 'kB' ? 1024 : 1
    return `${Math.round((Number(r.setting) * unit) / 2 ** 20)} MiB`
  }
  return `${s.server_version?.setting ?? '?'}, same machine, over TCP; synchronous_commit=${s.synchronous_commit?.setting}, fsync=${s.fsync?.setting}, shared_buffers=${size('shared_buffers')}, max_wal_size=${size('max_wal_size')}`
}
