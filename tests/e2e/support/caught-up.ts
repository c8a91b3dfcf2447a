import type { System } from './system.ts'

/** Polls readiness until every follower (projections, detectors, notary) stands at the store's head and a checkpoint is signed, twice in a row. */
export async function caughtUp(sys: Pick<System, 'http' | 'store'>): Promise<void> {
  const deadline = Date.now() + 60_000
  let last = ''
  for (;;) {
    const report = (await sys.http.get('/health/ready', undefined)).body as {
      status: string
      checks: Record<string, { ready: boolean; lag?: number; position?: string; headPosition?: string }>
    }
    const head = String(await sys.store.lastPosition())
    const behind = Object.entries(report.checks).filter(
      ([name, c]) =>
        name !== 'store' &&
        (!c.ready || (c.lag !== undefined && c.lag > 0) || (c.position !== undefined && c.position !== head)),
    )
    // The notary signs on its own time: caught up includes a signed checkpoint to export against.
    const signed = (await sys.http.get('/v1/audit/checkpoints/latest', { sub: 'auditor-1', role: 'auditor' }))
      .status
    const now = `${head}:${behind.length}:${signed}`
    if (report.status === 'ready' && behind.length === 0 && signed === 200 && now === last) return
    last = now
    if (Date.now() > deadline) throw new Error(`the read side did not catch up: ${JSON.stringify(report)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
