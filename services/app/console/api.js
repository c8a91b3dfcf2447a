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

/** @param {string} path @param {'json' | 'text'} [as] */
export async function api(path, as = 'json') {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token.get()}` } })
  if (!res.ok) {
    let problem
    try {
      problem = await res.json()
    } catch {}
    throw new ApiError(res.status, problem)
  }
  return as === 'json' ? res.json() : res.text()
}
