import { createHash, randomUUID } from 'node:crypto'
import type { JsonObject } from '@trec/core'
import type { EventToAppend } from '@trec/eventstore'

// The events the audit bench logs: face checks (FaceCheckRecorded, version 2 of the catalogue)
// of 10,000 workers, with the envelope metadata every event carries, about 620 bytes of JSON
// each, like the event store's own bench. Derived from a counter, so runs are comparable.

const workers = 10_000
const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n)

export function faceCheck(k: number): { stream: string; event: EventToAppend } {
  const w = k % workers
  const worker = hex(`worker-${w}`, 32)
  const r = Number.parseInt(hex(`r-${k}`, 8), 16) / 0xffffffff
  const checkedAt = new Date(Date.UTC(2024, 3, 8, 0, 27 + (k % 600), k % 60)).toISOString()
  const data: JsonObject = {
    worker,
    class: `cls-2024-${String(w % 503).padStart(4, '0')}`,
    session: `ses-${String(k % 40).padStart(2, '0')}`,
    device: `dev-fc-${String(w % 311).padStart(4, '0')}`,
    checkedAt,
    purpose: ['sign_in', 'spot', 'sign_out'][k % 3]!,
    result: r > 0.05 ? 'pass' : 'fail',
    matchScore: Math.round((0.8 + 0.2 * r) * 10_000) / 10_000,
    liveness: { method: 'silent', score: Math.round(r * 1000) / 1000, passed: r > 0.1 },
    place: { lat: 38 + Math.round(r * 10_000) / 100_000, lon: 114.5 + Math.round(r * 5000) / 100_000 },
    templateHash: hex(`template-${k}`, 64),
  }
  const metadata: JsonObject = {
    schemaVersion: 2,
    occurredAt: checkedAt.replace('Z', '+00:00'),
    actor: {
      kind: 'device',
      id: data.device as string,
      institution: `inst-130100-${String(w % 97).padStart(4, '0')}`,
    },
    source: 'device-gateway',
    region: '130102',
    correlationId: randomUUID(),
  }
  return {
    stream: `attendance-${worker}`,
    event: { id: randomUUID(), type: 'FaceCheckRecorded', data, metadata },
  }
}
