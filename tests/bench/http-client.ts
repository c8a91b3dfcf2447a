import { type Agent, request } from 'node:http'

// The benches' HTTP client: node:http over a keep-alive agent (fetch costs the load generator,
// which shares the cores with the server and PostgreSQL, several times the CPU per request).

export interface Answer {
  status: number
  text: string
}

/** Sends a JSON body with a bearer token; resolves with the status and body (status 0 on a network error). */
export function sendJson(
  agent: Agent,
  url: string,
  method: string,
  token: string,
  body: string,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', (error) => resolve({ status: 0, text: error.message }))
      },
    )
    req.on('error', (error) => resolve({ status: 0, text: error.message }))
    req.end(body)
  })
}
