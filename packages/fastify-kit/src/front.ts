import type { OutgoingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { TrecError } from '@trec/core'
import type { FastifyInstance } from 'fastify'
import type { AdmissionReason, BudgetLimits } from './admission-budget.ts'
import {
  type FromFront,
  type FrontData,
  type FrontStats,
  type ToFront,
  wholeBodyBytes,
} from './front-protocol.ts'
import { problemContentType, problemOf } from './problem-body.ts'

export interface FrontOptions extends BudgetLimits {
  host: string
  port: number
  /** Called for each write the front refuses (for metrics). */
  onRefuse?: (reason: AdmissionReason) => void
  /** Called if the front thread ends without being closed: no request reaches the app any more. */
  onLost?: (code: number) => void
}

export interface Front {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  address: string
  /** The front thread's loop delay and CPU since the last reset (then reset, if asked). */
  stats(reset?: boolean): Promise<FrontStats>
  /** Stops accepting, lets the requests in hand be answered, then ends the thread. */
  close(): Promise<void>
}

/** A transferred body's bytes as a Buffer, without copying them. */
const bufferOf = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

// Hop-by-hop headers of the app's injected answer: the front's own server sets them. A length the
// app gave is kept (the answer then goes out as before, not in chunks); without one, the answer
// streams in chunks.
const framing = new Set(['transfer-encoding', 'keep-alive'])

/**
 * Serves `app` behind a front thread (front-thread-main.ts) instead of `app.listen`: that thread
 * reads the sockets and applies the write budget (admission-budget.ts), answering a refusal
 * itself, and passes every other request to this thread, where the app answers it as it answers
 * `inject`. A refusal then waits only for a thread that is nearly always idle, not for this
 * one's turn between commands on a machine whose cores are all busy (BENCHMARKS.md, admission
 * control). Answers stream back chunk by chunk, so an NDJSON export is not held whole.
 */
export async function listenBehindFront(app: FastifyInstance, options: FrontOptions): Promise<Front> {
  const data: FrontData = {
    host: options.host,
    port: options.port,
    maxInFlight: options.maxInFlight,
    maxLatencyMs: options.maxLatencyMs,
  }
  const worker = new Worker(new URL('./front-thread-main.ts', import.meta.url), { workerData: data })
  const send = (message: ToFront, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer)
  const bodies = new Map<number, Readable>()
  let closed: (() => void) | undefined
  const statsWanted: ((stats: FrontStats) => void)[] = []

  const answer = async (request: Extract<FromFront, { type: 'request' }>) => {
    const id = request.id
    let headSent = false
    /** Sends the head with what is gathered of the body: the whole answer in one message when `end`. */
    const head = (status: number, headers: OutgoingHttpHeaders, chunks: Buffer[], end: boolean) => {
      const body = chunks.length > 0 ? new Uint8Array(Buffer.concat(chunks)) : undefined
      send({ type: 'head', id, status, headers, body, end })
      headSent = true
    }
    let payload: Readable | Buffer | undefined = request.body ? bufferOf(request.body) : undefined
    if (request.streamed) {
      const stream = new Readable({ read() {} })
      if (request.body) stream.push(bufferOf(request.body))
      bodies.set(id, stream)
      payload = stream
    }
    try {
      const response = await app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers as Record<string, string>,
        ...(payload ? { payload } : {}),
        ...(request.remoteAddress ? { remoteAddress: request.remoteAddress } : {}),
        payloadAsStream: true,
      })
      const headers: OutgoingHttpHeaders = {}
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined && !framing.has(name)) headers[name] = value
      // Most answers are small: gathered whole, they cross in one message. A larger one (an
      // export) goes in chunks once the first `wholeBodyBytes` are gathered.
      let gathered: Buffer[] = []
      let size = 0
      for await (const chunk of response.stream()) {
        if (headSent) {
          const bytes = new Uint8Array(chunk as Buffer)
          send({ type: 'chunk', id, data: bytes }, [bytes.buffer as ArrayBuffer])
          continue
        }
        gathered.push(chunk as Buffer)
        size += (chunk as Buffer).length
        if (size > wholeBodyBytes) {
          head(response.statusCode, headers, gathered, false)
          gathered = []
        }
      }
      if (!headSent) return head(response.statusCode, headers, gathered, true)
      send({ type: 'end', id })
    } catch (error) {
      app.log.error({ err: error }, 'front: the answer failed')
      // Before its head the answer can still say so; after it, the connection ends short.
      if (headSent) return send({ type: 'end', id })
      const problem = problemOf(new TrecError('TREC_INTERNAL', 'internal error'), { id, url: request.url })
      head(500, { 'content-type': problemContentType }, [Buffer.from(JSON.stringify(problem))], true)
    } finally {
      bodies.delete(id)
    }
  }

  const address = await new Promise<string>((resolve, reject) => {
    worker.on('message', (message: FromFront) => {
      switch (message.type) {
        case 'listening':
          return resolve(message.address)
        case 'listen-failed':
          return reject(new Error(`the front thread could not listen: ${message.message}`))
        case 'request':
          return void answer(message)
        case 'body-chunk':
          bodies.get(message.id)?.push(bufferOf(message.data))
          return
        case 'body-end': {
          const body = bodies.get(message.id)
          if (message.aborted) body?.destroy(new Error('the client went away'))
          else body?.push(null)
          return
        }
        case 'refused':
          options.onRefuse?.(message.reason)
          return
        case 'closed':
          closed?.()
          return
        case 'stats':
          statsWanted.shift()?.(message)
          return
      }
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (closed) return
      app.log.fatal({ code }, 'front: the front thread ended; no request can reach this process')
      options.onLost?.(code)
    })
  })
  return {
    address,
    stats: (reset = false) =>
      new Promise<FrontStats>((resolve) => {
        statsWanted.push(resolve)
        send({ type: 'stats', reset })
      }),
    async close() {
      await new Promise<void>((resolve) => {
        closed = resolve
        send({ type: 'close' })
      })
      await worker.terminate()
    },
  }
}
