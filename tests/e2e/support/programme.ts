// Request bodies shared by the e2e suites, the fault-injection run and the mixed-traffic bench;
// free of vitest, so plain scripts can import it.

export interface Occupation {
  code: string
  title: string
  level: number
}

/** A subsidised training programme of the occupation, in 130100, open from `from` to `to`. */
export function programmeBody(o: Occupation, from: string, to: string) {
  return {
    region: '130100',
    occupationCode: o.code,
    occupationTitle: o.title,
    level: o.level,
    subsidyKind: 'training',
    amount: 220_000,
    shortage: false,
    effectiveFrom: from,
    effectiveTo: to,
  }
}
