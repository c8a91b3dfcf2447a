import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { AdmissionBudget, type BudgetReason, isWriteMethod, overloaded } from './admission-budget.ts'
import type { FromFront, FrontData, ToFront } from './front-protocol.ts'
import { wholeBodyBytes } from './front-protocol.ts'
import { problemContentType, problemOf } from './problem-body.ts'

// The front thread (front.ts): it owns the listening socket, reads each request, refuses a
// write past the budget at once, and passes the rest to the request thread, whose answers it
// writes back. It does little else, so the kernel runs it as soon as a request arrives even
// while the request thread, the read side and PostgreSQL keep every core busy: a refusal no
// longer waits for the request thread's turn on a core.

const data = workerData as FrontData
const port = parentPort!
const post = (message: FromFront, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? [])
const budget = new AdmissionBudget(data)
const answering = new Map<number, ServerResponse>()
let nextId = 0
// The front's own loop: with nothing but sockets and messages on it, its delay is the time the
// thread waits for a core.
const resolutionMs = 5
const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs })
loopDelay.enable()
let cpuFrom = process.threadCpuUsage()
/** Set once the request thread asks the front to close: answers then end their connections. */
let closing = false

const bytesOf = (chunks: Buffer[]): Uint8Array => {
  const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  // A copy of its own, so that its memory can be transferred rather than cloned.
  return new Uint8Array(whole)
}

function refuse(request: IncomingMessage, response: ServerResponse, reason: BudgetReason) {
  const seconds = budget.retryAfterSeconds()
  post({ type: 'refused', reason })
  const body = JSON.stringify(
    problemOf(overloaded(reason, seconds), { id: randomUUID(), url: request.url ?? '/' }),
  )
  response.writeHead(503, {
    'content-type': problemContentType,
    'content-length': Buffer.byteLength(body),
    'retry-after': String(seconds),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  response.end(body)
  // The body is not read: drop it rather than keep the connection for it.
  if (!request.complete) request.resume()
}

function pass(request: IncomingMessage, response: ServerResponse) {
  const id = nextId++
  answering.set(id, response)
  const leave = isWriteMethod(request.method ?? 'GET') ? budget.enter() : undefined
  response.once('close', () => {
    answering.delete(id)
    leave?.()
  })
  const head = {
    type: 'request' as const,
    id,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: request.headers,
    remoteAddress: request.socket.remoteAddress,
  }
  const chunks: Buffer[] = []
  let size = 0
  let streamed = false
  request.on('data', (chunk: Buffer) => {
    if (streamed) {
      const bytes = bytesOf([chunk])
      post({ type: 'body-chunk', id, data: bytes }, [bytes.buffer as ArrayBuffer])
      return
    }
    chunks.push(chunk)
    size += chunk.length
    if (size > wholeBodyBytes) {
      streamed = true
      const bytes = bytesOf(chunks)
      post({ ...head, body: bytes, streamed }, [bytes.buffer as ArrayBuffer])
    }
  })
  request.once('end', () => {
    if (streamed) return post({ type: 'body-end', id, aborted: false })
    const bytes = size > 0 ? bytesOf(chunks) : undefined
    post({ ...head, body: bytes, streamed: false }, bytes ? [bytes.buffer as ArrayBuffer] : [])
  })
  // A body cut short by the client: the request thread's read of it fails rather than waits.
  request.once('close', () => {
    if (streamed && !request.complete) post({ type: 'body-end', id, aborted: true })
  })
}

/** Ends an answer; once closing, its connection is then let go if idle. */
function finish(response: ServerResponse, body: Uint8Array | undefined) {
  const done = () => {
    if (closing) server.closeIdleConnections()
  }
  if (body) response.end(body, done)
  else response.end(done)
}

const server = createServer((request, response) => {
  if (isWriteMethod(request.method ?? 'GET')) {
    const reason = budget.refusal()
    if (reason) return refuse(request, response, reason)
  }
  pass(request, response)
})

port.on('message', (message: ToFront) => {
  switch (message.type) {
    case 'head': {
      const response = answering.get(message.id)
      if (!response) return
      response.writeHead(
        message.status,
        closing ? { ...message.headers, connection: 'close' } : message.headers,
      )
      if (message.end) finish(response, message.body)
      else if (message.body) response.write(message.body)
      return
    }
    case 'chunk':
      answering.get(message.id)?.write(message.data)
      return
    case 'end': {
      const response = answering.get(message.id)
      if (response) finish(response, undefined)
      return
    }
    case 'stats': {
      const cpu = process.threadCpuUsage(cpuFrom)
      // The histogram holds each tick's whole interval: its lateness is what exceeds the resolution.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs)
      post({
        type: 'stats',
        loopDelayMs: {
          p50: ms(loopDelay.percentile(50)),
          p99: ms(loopDelay.percentile(99)),
          max: ms(loopDelay.max),
        },
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      })
      if (message.reset) {
        loopDelay.reset()
        cpuFrom = process.threadCpuUsage()
      }
      return
    }
    case 'close':
      // No new connections; the requests in hand are answered, idle keep-alive ones closed.
      closing = true
      server.close(() => post({ type: 'closed' }))
      server.closeIdleConnections()
      return
  }
})

// As fastify's own server keeps them: idle keep-alive connections for 72 s.
server.keepAliveTimeout = 72_000
server.once('error', (error) => post({ type: 'listen-failed', message: error.message }))
server.listen(data.port, data.host, () => {
  const address = server.address()
  if (address === null || typeof address === 'string')
    return post({ type: 'listening', address: String(address) })
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  post({ type: 'listening', address: `http://${host}:${address.port}` })
})
