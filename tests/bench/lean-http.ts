import { connect, type Socket } from 'node:net'
import type { Answer } from './http-client.ts'

// A load generator's HTTP/1.1 client over plain keep-alive sockets: one request in flight per
// connection, up to `maxConnections`, the rest queued (a queued request's wait counts against its
// latency, as the bench times from when it was due). It writes each request in one call and reads
// answers by Content-Length, nothing more: no redirects, no chunked bodies, no TLS. It exists
// because the load generator shares the cores with the server and PostgreSQL: node:http over an
// agent measured 250–300 µs of CPU per request here, a quarter of the machine at 2,000/s, taken
// from the system under test. This one costs a fraction of that (see BENCHMARKS.md).

interface Pending {
  request: Buffer
  resolve: (answer: Answer) => void
}

const endOfHead = Buffer.from('\r\n\r\n')

class Connection {
  readonly #socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  #current: Pending | undefined
  #closed = false
  readonly onFree: (connection: Connection) => void

  constructor(host: string, port: number, onFree: (connection: Connection) => void) {
    this.onFree = onFree
    this.#socket = connect({ host, port, noDelay: true })
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk))
    this.#socket.on('error', () => undefined)
    this.#socket.on('close', () => {
      this.#closed = true
      this.#current?.resolve({ status: 0, text: 'connection closed' })
      this.#current = undefined
      this.onFree(this)
    })
  }

  get usable(): boolean {
    return !this.#closed
  }

  send(pending: Pending): void {
    this.#current = pending
    this.#socket.write(pending.request)
  }

  close(): void {
    this.#socket.destroy()
  }

  #read(chunk: Buffer): void {
    if (!this.#current) {
      // Bytes nobody asked for (a server's timeout notice): the connection is out of step.
      this.close()
      return
    }
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const headEnd = this.#buffer.indexOf(endOfHead)
    if (headEnd < 0) return
    const head = this.#buffer.toString('latin1', 0, headEnd)
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)
    if (!length) {
      this.#current.resolve({ status: 0, text: 'answer without Content-Length' })
      this.#current = undefined
      this.close()
      return
    }
    const bodyEnd = headEnd + 4 + Number(length[1])
    if (this.#buffer.length < bodyEnd) return
    const answer = {
      status: Number(head.slice(9, 12)),
      text: this.#buffer.toString('utf8', headEnd + 4, bodyEnd),
    }
    this.#buffer = this.#buffer.subarray(bodyEnd)
    const done = this.#current
    this.#current = undefined
    done.resolve(answer)
    // One request in flight per connection: bytes beyond its answer were not asked for.
    if (this.#buffer.length > 0) this.close()
    else this.onFree(this)
  }
}

export class LeanHttpClient {
  readonly #idle: Connection[] = []
  readonly #all = new Set<Connection>()
  readonly #queue: Pending[] = []
  readonly host: string
  readonly port: number
  readonly maxConnections: number

  constructor(host: string, port: number, maxConnections: number) {
    this.host = host
    this.port = port
    this.maxConnections = maxConnections
  }

  /** Sends a JSON body with a bearer token; resolves with the status and body (status 0 on a network error). */
  sendJson(method: string, path: string, token: string, body: string): Promise<Answer> {
    return this.send(this.jsonRequest(method, path, token, body))
  }

  /**
   * The bytes of a request with a JSON body and a bearer token, to send later with `send`: a load
   * generator encodes its requests before the clock starts, not while it competes for the cores.
   */
  jsonRequest(method: string, path: string, token: string, body: string): Buffer {
    return Buffer.from(
      `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\nauthorization: Bearer ${token}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }

  /** Sends a request made by `jsonRequest`; resolves with the status and body (status 0 on a network error). */
  send(request: Buffer): Promise<Answer> {
    return new Promise((resolve) => {
      this.#queue.push({ request, resolve })
      this.#dispatch()
    })
  }

  close(): void {
    for (const c of this.#all) c.close()
  }

  /** A connection is free again: idle if still open, forgotten if closed; either way the queue moves. */
  #freed(connection: Connection): void {
    if (connection.usable) this.#idle.push(connection)
    else this.#all.delete(connection)
    this.#dispatch()
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      // One that closed while idle is still in the list: skip it (its close already forgot it).
      let connection = this.#idle.pop()
      while (connection && !connection.usable) connection = this.#idle.pop()
      if (!connection) {
        if (this.#all.size >= this.maxConnections) return
        connection = new Connection(this.host, this.port, (c) => this.#freed(c))
        this.#all.add(connection)
      }
      connection.send(this.#queue.shift()!)
    }
  }
}
