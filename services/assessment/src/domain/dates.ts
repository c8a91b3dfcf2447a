// Calendar dates in the record (assessedOn, issuedOn) are dates in China Standard Time, UTC+8
// all year (no daylight saving), whatever zone the server runs in.

const offsetMs = 8 * 3_600_000

/** The CST calendar date (`YYYY-MM-DD`) of an instant. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + offsetMs).toISOString().slice(0, 10)
}
