// Calls the API on this origin with the token the user pasted (kept in sessionStorage: gone when
// the tab closes). A refused call becomes an Error with the problem's words and failing fields.

const KEY = 'trec.token'

export const token = {
  get: () => sessionStorage.getItem(KEY) ?? '',
  set: (value) => (value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY)),
  /** The token's claims (not verified here: the API verifies every call). */
  claims() {
    try {
      const part = token.get().split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))))
    } catch {
      return undefined
    }
  },
}

export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors ?? []).map((e) => `${(e.path ?? []).join('.')}: ${e.message}`)
    super([problem?.detail ?? problem?.title ?? `HTTP ${status}`, ...fields].join(' — '))
    this.status = status
    this.problem = problem
  }
}

async function answer(res, as) {
  if (!res.ok) {
    let problem
    try {
      problem = await res.json()
    } catch {}
    throw new ApiError(res.status, problem)
  }
  return as === 'json' ? res.json() : res.text()
}

const auth = () => ({ authorization: `Bearer ${token.get()}` })

/** @param {string} path @param {'json' | 'text'} [as] */
export async function api(path, as = 'json') {
  return answer(await fetch(path, { headers: auth() }), as)
}

/**
 * A POST with a JSON body. A command carries an Idempotency-Key (`key`: one per thing the user
 * means to do, so a retry of it is answered, not done twice); a read that needs a body (a card
 * number is never put in a URL) goes without one, as the API requires.
 * @param {string} path @param {unknown} body @param {string} [key]
 */
export async function send(path, body, key) {
  const headers = {
    ...auth(),
    'content-type': 'application/json',
    ...(key ? { 'idempotency-key': key } : {}),
  }
  return answer(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }), 'json')
}

/** A fresh Idempotency-Key (random, 128 bits). */
export const newKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
