// The events every system under test writes: the same face checks, in the same order.
//
// Shape: `FaceCheckRecorded` version 2 of the contracts catalogue (attendance context) with the
// envelope metadata every event carries (actor, source, region, occurredAt, correlation id).
// Stream names follow docs/architecture.md, "Streams": `attendance-{worker pseudonym}`, the
// pseudonym being 32 hex characters. Everything is derived from a counter through SHA-256, so
// two runs (and the three systems within a run) see byte-identical data.

import { createHash, randomUUID } from 'node:crypto'
import type { JsonObject } from '@trec/core'

export interface BenchEvent {
  id: string
  type: string
  data: JsonObject
  metadata: JsonObject
}

/** The one category every bench stream belongs to, so Message DB can read it all back. */
export const category = 'attendance'
export const eventType = 'FaceCheckRecorded'

/** Worker streams the single-event appends rotate over. */
export const workerCount = 10_000

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length)
}

function uuidFrom(seed: string): string {
  const h = hex(seed, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const purposes = ['sign_in', 'spot', 'sign_out'] as const
const methods = ['silent', 'action', 'flash', '3d'] as const

function faceCheck(k: number): { data: JsonObject; metadata: JsonObject } {
  const worker = hex(`worker-${k}`, 32)
  const r = Number.parseInt(hex(`r-${k}`, 8), 16) / 0xffffffff
  const institution = `inst-130100-${String(k % 97).padStart(4, '0')}`
  const device = `dev-fc-${String(k % 311).padStart(4, '0')}`
  const minute = k % 600
  const checkedAt = new Date(Date.UTC(2024, 3, 8, 0, 27 + minute, k % 60)).toISOString()
  const score = Math.round((0.8 + 0.2 * r) * 10_000) / 10_000
  return {
    data: {
      worker,
      class: `cls-2024-${String(k % 503).padStart(4, '0')}`,
      session: `ses-${String(k % 40).padStart(2, '0')}`,
      device,
      checkedAt,
      purpose: purposes[k % purposes.length]!,
      result: score >= 0.85 ? 'pass' : 'fail',
      matchScore: score,
      liveness: { method: methods[k % methods.length]!, score: Math.round(r * 1000) / 1000, passed: r > 0.1 },
      place: { lat: 38 + Math.round(r * 10_000) / 100_000, lon: 114.5 + Math.round(r * 5000) / 100_000 },
      templateHash: hex(`template-${k}`, 64),
    },
    metadata: {
      schemaVersion: 2,
      occurredAt: checkedAt,
      actor: { kind: 'device', id: device, institution },
      source: 'device-gateway',
      region: '130100',
      correlationId: uuidFrom(`correlation-${k}`),
    },
  }
}

export interface Payloads {
  /** Stream names of the worker streams, `attendance-{pseudonym}`. */
  workerStreams: string[]
  /** Payload `i` belongs to worker stream `i`. */
  bodies: Array<{ data: JsonObject; metadata: JsonObject }>
  /** Mean serialised size of data + metadata in bytes. */
  meanBytes: number
}

export function makePayloads(): Payloads {
  const bodies = Array.from({ length: workerCount }, (_, k) => faceCheck(k))
  const workerStreams = bodies.map((b) => `${category}-${b.data.worker as string}`)
  const bytes = bodies.reduce(
    (sum, b) =>
      sum + Buffer.byteLength(JSON.stringify(b.data)) + Buffer.byteLength(JSON.stringify(b.metadata)),
    0,
  )
  return { workerStreams, bodies, meanBytes: Math.round(bytes / bodies.length) }
}

/** Event `k` of the run: payload `k mod workerCount` under a fresh id. */
export function eventAt(payloads: Payloads, k: number): BenchEvent {
  const body = payloads.bodies[k % workerCount]!
  return { id: randomUUID(), type: eventType, data: body.data, metadata: body.metadata }
}

/** A fresh stream for batch `n` (one stream per batch, never reused within a run). */
export function batchStream(n: number): string {
  return `${category}-${hex(`batch-${n}`, 32)}`
}
