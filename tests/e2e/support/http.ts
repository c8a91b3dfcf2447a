import type { Platform } from '@trec/fastify-kit'

// One way to call the app for every test: over a real socket with `fetch`, or in-process with
// `inject`. Both answer the same shape, so a flow written once runs either way.

/** Parsed JSON as tests read it, field by field (what `inject`'s `res.json()` gives). */
// biome-ignore lint/suspicious/noExplicitAny: assertions walk answers whose shapes the routes' schemas fix
export type Json = any

export interface Answer {
  status: number
  headers: Record<string, string>
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: Json
  text: string
}

export type Method = 'GET' | 'POST'

/** Sends a request; a string body is sent as is (raw JSON), anything else as JSON. */
export type Send = (
  method: Method,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) => Promise<Answer>

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function encode(body: unknown): string | undefined {
  if (body === undefined) return undefined
  return typeof body === 'string' ? body : JSON.stringify(body)
}

/** Real HTTP to a listening app (keep-alive, as a client library would). */
export function fetchSender(base: string): Send {
  return async (method, url, headers, body) => {
    const payload = encode(body)
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(payload === undefined ? {} : { body: payload }),
    })
    const text = await res.text()
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parse(text), text }
  }
}

/** In-process requests (`app.inject`): the same routing, hooks and serialisation, no socket. */
export function injectSender(app: Platform): Send {
  return async (method, url, headers, body) => {
    const payload = encode(body)
    const res = await app.inject({
      method,
      url,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(payload === undefined ? {} : { payload }),
    })
    const flat: Record<string, string> = {}
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = String(v)
    return { status: res.statusCode, headers: flat, body: parse(res.body), text: res.body }
  }
}
