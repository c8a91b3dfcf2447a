// Clients generated from the committed contract (docs/openapi.json) with the ecosystem's
// standard generators, compiled, and run against a real server on the embedded start, as an
// integrator would (issue 29): the TypeScript one (openapi-typescript + openapi-fetch) and the
// Java one (openapi-generator, `java`, library `native`, through Maven). Each takes the same
// journey (tests/clients/journey.ts): designate an institution, look up an archive, and read a
// problem+json refusal with its code and failing field. The generated Java names are checked too:
// none carries a path or a status code, and each operation's method is its operationId.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cryptoProfile } from '@trec/core'
import { createPseudonymizer } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { javaOperations, namesWithPathOrStatus } from '../clients/generated-names.ts'
import { generatedJavaNames, javaUnavailable, maven } from '../clients/java.ts'
import { brokenUscc, type JourneyInput, type JourneyResult } from '../clients/journey.ts'
import {
  compileTypeScriptJourney,
  generateTypeScriptClient,
  typeScriptJourney,
} from '../clients/typescript.ts'
import { at, day } from './support/china-days.ts'
import { card, people } from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

// The clients see only HTTP and JSON: the gm run (the same tiers under the 国密 profile) would
// build and run them again for nothing.
const skip = cryptoProfile().name === 'gm' ? 'the clients do not depend on the crypto profile' : undefined
const suite = skip ? describe.skip : describe
const noJava = javaUnavailable()

// biome-ignore lint/suspicious/noExplicitAny: the parsed contract, walked by key
const doc: Record<string, any> = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8'),
)
const uscc = '52130100MJ0123456N'

suite(
  skip
    ? `generated clients (skipped: ${skip})`
    : 'clients generated from docs/openapi.json, on a running server',
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trec-clients-e2e-'))
    let sys: StartedSystem
    let input: (institution: string, sequence: number) => Promise<JourneyInput>
    let pseudonym: (cardNumber: string) => string

    /** What a journey must find: its institution designated, no archive yet, `uscc` refused. */
    const expected = (given: JourneyInput): JourneyResult => ({
      designated: given.institution,
      archive: { worker: pseudonym(given.cardNumber), found: false },
      refusal: { status: 400, code: 'TREC_VALIDATION', fields: ['body.uscc'] },
    })

    beforeAll(async () => {
      sys = await startedSystem(dataDir, { now: at(day(0), '09:00') })
      const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'))
      pseudonym = createPseudonymizer(secrets.pseudonymSecret).pseudonym
      input = async (institution, sequence) => ({
        baseUrl: sys.url,
        tokens: {
          admin: await sys.http.token(people.admin),
          cardService: await sys.http.token(people.cardService),
        },
        institution,
        uscc,
        cardNumber: card(sequence),
      })
    }, 120_000)

    afterAll(async () => {
      await sys?.close()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('TypeScript (openapi-typescript, openapi-fetch): generates, compiles and takes the journey', async () => {
      await generateTypeScriptClient()
      const compiled = compileTypeScriptJourney()
      expect(compiled.status, compiled.output).toBe(0)
      const journey = await typeScriptJourney()
      const given = await input('inst-130102-0701', 701)
      expect(await journey(given)).toEqual(expected(given))
    }, 180_000)

    describe(noJava ? `Java (skipped: ${noJava})` : 'Java (openapi-generator java, native)', () => {
      const java = noJava ? it.skip : it

      java(
        'generates and compiles, with no class or method named after a path or a status code',
        async () => {
          const built = await maven(['compile'])
          expect(built.status, built.output).toBe(0)
          const { models, methods } = generatedJavaNames()
          const allMethods = [...methods.values()].flat()
          expect(namesWithPathOrStatus(doc, [...models, ...allMethods])).toEqual([])
          for (const { operation, api, method } of javaOperations(doc))
            expect(methods.get(api) ?? [], `${operation} (${api})`).toContain(method)
        },
        600_000,
      )

      java(
        'takes the journey',
        async () => {
          const given = await input('inst-130102-0702', 702)
          const run = await maven(['exec:java'], {
            TREC_URL: given.baseUrl,
            TREC_ADMIN_TOKEN: given.tokens.admin,
            TREC_CARD_SERVICE_TOKEN: given.tokens.cardService,
            TREC_INSTITUTION: given.institution,
            TREC_USCC: given.uscc,
            TREC_BROKEN_USCC: brokenUscc,
            TREC_CARD_NUMBER: given.cardNumber,
          })
          expect(run.status, run.output).toBe(0)
          // The one line the journey prints (Maven may put colour codes before it).
          const found = /JOURNEY (\{.*\})/.exec(run.output)
          expect(found, run.output).not.toBeNull()
          expect(JSON.parse(found?.[1] ?? '{}')).toEqual(expected(given))
        },
        300_000,
      )
    })
  },
)
