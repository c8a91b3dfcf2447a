import type { Claims, TokenIssuer } from '@trec/fastify-kit'
import type { Answer, Method, Send } from './http.ts'

// Calls as someone: each caller's access token is minted once (real Ed25519 JWTs) and reused. A
// worker's token comes from the worker-session issuer (the app takes the role from no other).

export type Who = Omit<Claims, 'jti' | 'client_id'>

export interface Client {
  send: Send
  token(who: Who): Promise<string>
  call(
    method: Method,
    url: string,
    who: Who | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>
  post(url: string, who: Who | undefined, body?: unknown, headers?: Record<string, string>): Promise<Answer>
  get(url: string, who: Who | undefined): Promise<Answer>
}

export function client(send: Send, tokens: TokenIssuer, workerTokens?: TokenIssuer): Client {
  const minted = new Map<string, Promise<string>>()
  const token = (who: Who) => {
    const key = JSON.stringify(who)
    let t = minted.get(key)
    if (!t) {
      t = (who.role === 'worker' && workerTokens ? workerTokens : tokens).mint(who, 3000)
      minted.set(key, t)
    }
    return t
  }
  const call: Client['call'] = async (method, url, who, body, headers = {}) =>
    send(method, url, { ...(who ? { authorization: `Bearer ${await token(who)}` } : {}), ...headers }, body)
  return {
    send,
    token,
    call,
    post: (url, who, body, headers) => call('POST', url, who, body, headers),
    get: (url, who) => call('GET', url, who),
  }
}
