// The short journey an integrator's client takes, written once for both generated clients (the
// TypeScript one in ts/, the Java one in java/): what it is given, and what it must find.

export interface JourneyInput {
  /** The server's address, e.g. http://127.0.0.1:3000. */
  baseUrl: string
  /** Access tokens minted for the callers: an administrator and a card-service platform. */
  tokens: { admin: string; cardService: string }
  /** The institution to designate (定点), with its USCC. */
  institution: string
  uscc: string
  /** A valid card number the archive is looked up by. */
  cardNumber: string
}

/** What a journey found, as each client reports it (the Java one prints it as JSON). */
export interface JourneyResult {
  designated: string
  archive: { worker: string; found: boolean }
  refusal: { status: number; code: string; fields: string[] }
}

/** The designation a journey sends; the refusal sends it again with `uscc` broken. */
export const designation = (input: JourneyInput) => ({
  institution: input.institution,
  legalName: '石家庄市长安区新航职业培训学校',
  uscc: input.uscc,
  region: '130102',
  kinds: ['private_provider' as const],
  effectiveFrom: '2021-01-01',
})

/** The `uscc` the refusal step sends: not 18 characters of the USCC alphabet. */
export const brokenUscc = 'not-a-uscc'
