import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import type { BudgetLimits, BudgetReason } from './admission-budget.ts'

// The messages between the front thread (front-thread-main.ts), which reads the sockets, and
// the request thread (front.ts), which runs the app. Bodies travel as transferred buffers.

export interface FrontData extends BudgetLimits {
  host: string
  port: number
}

/** A body (asked or answered) up to this size travels with its head in one message; a larger one follows in chunks. */
export const wholeBodyBytes = 256 * 1024

/** How the front thread has fared since its stats were last reset: its own loop and CPU. */
export interface FrontStats {
  /** How late the front's event loop ran (ms): what a request waits before the front reads it. */
  loopDelayMs: { p50: number; p99: number; max: number }
  /** The front thread's own CPU time (seconds). */
  cpuSeconds: number
}

/** From the front to the request thread. */
export type FromFront =
  | { type: 'listening'; address: string }
  | { type: 'listen-failed'; message: string }
  | {
      type: 'request'
      id: number
      method: string
      url: string
      headers: IncomingHttpHeaders
      /** The whole body; or, with `streamed`, its first bytes, the rest in `body-chunk`s and a `body-end`. */
      body: Uint8Array | undefined
      streamed: boolean
      remoteAddress: string | undefined
    }
  | { type: 'body-chunk'; id: number; data: Uint8Array }
  | { type: 'body-end'; id: number; aborted: boolean }
  | { type: 'refused'; reason: BudgetReason }
  | { type: 'closed' }
  | ({ type: 'stats' } & FrontStats)

/** From the request thread to the front. */
export type ToFront =
  | {
      type: 'head'
      id: number
      status: number
      headers: OutgoingHttpHeaders
      /** The body, whole when `end`; else its first bytes, the rest in `chunk`s and an `end`. */
      body: Uint8Array | undefined
      end: boolean
    }
  | { type: 'chunk'; id: number; data: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'close' }
  | { type: 'stats'; reset: boolean }
