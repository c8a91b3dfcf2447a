// Whether an error from a PostgreSQL client means "the database cannot be reached right now"
// (a retry later may succeed) rather than "the statement was wrong". SQLSTATE classes 08
// (connection exception), 53 (insufficient resources: too many connections, disk full) and 57
// (operator intervention: shutdown, crash recovery); the socket errors Node reports; and the
// messages pg gives when a connection ends or cannot be had from the pool in time.

const unavailableCodes = /^(08|53|57|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)/
const unavailableMessages =
  /connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && unavailableCodes.test(code)) return true
  if (typeof message === 'string' && unavailableMessages.test(message)) return true
  // An AggregateError (Node's happy-eyeballs connect) carries the socket errors inside.
  const inner = (error as { errors?: unknown }).errors
  return Array.isArray(inner) && inner.some(isDatabaseUnavailable)
}
