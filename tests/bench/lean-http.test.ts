import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LeanHttpClient } from './lean-http.ts'

// The load generator's client against a real node:http server: answers matched to their
// requests over few connections, bodies split across reads, a closed connection reported.

let server: Server
let port: number
let connections = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => {
      const { n, pad, close, chunked, trailing } = JSON.parse(body) as {
        n: number
        pad: number
        close?: boolean
        chunked?: boolean
        trailing?: boolean
      }
      if (trailing) {
        // A whole answer, then bytes nobody asked for.
        res.writeHead(200, { 'content-length': 2 })
        res.end('{}', () => req.socket.write('HTTP/1.1 408 Request Timeout\r\n\r\n'))
        return
      }
      if (close) {
        req.socket.destroy()
        return
      }
      if (chunked) {
        res.write('{}')
        res.end()
        return
      }
      const answer = JSON.stringify({ n, auth: req.headers.authorization, pad: '档'.repeat(pad) })
      // Delay some answers so that later requests overtake them on other connections.
      setTimeout(() => {
        res.writeHead(n % 2 === 0 ? 200 : 201, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer),
        })
        res.end(answer)
      }, n % 3)
    })
  })
  server.on('connection', () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('LeanHttpClient', () => {
  it('answers each request with its own status and body, over no more connections than allowed', async () => {
    const client = new LeanHttpClient('127.0.0.1', port, 3)
    const before = connections
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        client.sendJson('POST', '/x', 'tok', JSON.stringify({ n, pad: n * 1000 })),
      ),
    )
    client.close()
    for (const [n, a] of answers.entries()) {
      expect(a.status).toBe(n % 2 === 0 ? 200 : 201)
      const body = JSON.parse(a.text) as { n: number; auth: string; pad: string }
      expect(body).toMatchObject({ n, auth: 'Bearer tok' })
      // Bodies of up to 177 kB (split across many reads) arrive whole.
      expect(body.pad.length).toBe(n * 1000)
    }
    expect(connections - before).toBe(3)
  })

  // A failed exchange answers status 0 with the reason; the client goes on over a new connection.
  it.each([
    ['a connection closed under a request', { close: true }, 'connection closed'],
    ['an answer it cannot delimit (no Content-Length)', { chunked: true }, 'answer without Content-Length'],
  ])('reports %s as status 0 and carries on', async (_, fault, reason) => {
    const client = new LeanHttpClient('127.0.0.1', port, 1)
    const failed = await client.sendJson('POST', '/x', 't', JSON.stringify({ n: 0, pad: 0, ...fault }))
    expect(failed).toEqual({ status: 0, text: reason })
    const next = await client.sendJson('POST', '/x', 't', JSON.stringify({ n: 2, pad: 1 }))
    expect(next.status).toBe(200)
    client.close()
  })

  it('drops a connection that sends bytes nobody asked for, and answers the next request on a new one', async () => {
    const client = new LeanHttpClient('127.0.0.1', port, 1)
    const before = connections
    const first = await client.sendJson('POST', '/x', 't', JSON.stringify({ n: 0, pad: 0, trailing: true }))
    expect(first).toEqual({ status: 200, text: '{}' })
    await new Promise((r) => setTimeout(r, 50))
    const next = await client.sendJson('POST', '/x', 't', JSON.stringify({ n: 2, pad: 3 }))
    expect(next.status).toBe(200)
    expect(JSON.parse(next.text)).toMatchObject({ n: 2 })
    expect(connections - before).toBe(2)
    client.close()
  })
})
