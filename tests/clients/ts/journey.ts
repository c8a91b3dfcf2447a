// The journey with the TypeScript client: openapi-typescript's types of the committed contract
// (generated at test time into ../generated/ts) and openapi-fetch calling by path and method, so
// every body, answer and refusal is typed from the document. Compiled with tsc (tsconfig.json
// here) before it runs; tests/clients/clients.e2e.test.ts drives it.
import createClient from 'openapi-fetch'
import type { components, paths } from '../generated/ts/trec-api.ts'
import { brokenUscc, designation, type JourneyInput, type JourneyResult } from '../journey.ts'

type Problem = components['schemas']['Problem']

export async function tsJourney(input: JourneyInput): Promise<JourneyResult> {
  const api = createClient<paths>({ baseUrl: input.baseUrl })
  const as = (token: string) => ({ authorization: `Bearer ${token}` })

  const designated = await api.POST('/v1/institutions', {
    headers: as(input.tokens.admin),
    body: designation(input),
  })
  if (!designated.data) throw new Error(`designation refused: ${JSON.stringify(designated.error)}`)

  const looked = await api.POST('/v1/archive/lookup', {
    headers: as(input.tokens.cardService),
    body: { cardNumber: input.cardNumber, purpose: 'card_holder_request' },
  })
  if (!looked.data) throw new Error(`archive lookup refused: ${JSON.stringify(looked.error)}`)

  const refused = await api.POST('/v1/institutions', {
    headers: as(input.tokens.admin),
    body: { ...designation(input), uscc: brokenUscc },
  })
  const problem: Problem | undefined = refused.error
  if (!problem) throw new Error(`a broken USCC was accepted (${refused.response.status})`)

  return {
    designated: designated.data.institution,
    archive: { worker: looked.data.worker, found: looked.data.archive.found },
    refusal: {
      status: refused.response.status,
      code: problem.code,
      fields: (problem.errors ?? []).map((issue) => issue.path.join('.')),
    },
  }
}
