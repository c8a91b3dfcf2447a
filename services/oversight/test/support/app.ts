import type { Platform } from '@trec/fastify-kit'
import { type TestTokens, testPlatform } from '@trec/fastify-kit/testing'
import { oversightService } from '../../src/index.ts'
import type { OversightReadSide } from '../../src/read-side.ts'
import { type Embedded, embedded } from './embedded.ts'

// The oversight service on the real platform (signed tokens, problem+json, idempotency keys),
// its projections driven by the test (`catchUp`) rather than a background loop.

export const now = new Date('2024-06-03T10:00:00+08:00')

export interface AppHarness extends Embedded {
  app: Platform
  tokens: TestTokens
  side: OversightReadSide
}

export async function oversightApp(): Promise<AppHarness> {
  const env = await embedded()
  const side = env.readSide()
  const { app, tokens } = await testPlatform(env.db)
  await app.register(oversightService, {
    store: env.store,
    db: env.db,
    readSide: side,
    follow: false,
    clock: () => now,
  })
  await app.ready()
  return { ...env, app, tokens, side }
}

export async function call(
  app: Platform,
  method: 'GET' | 'POST',
  url: string,
  token: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method,
    url,
    headers: {
      ...(token ? { authorization: token.startsWith('Bearer ') ? token : `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
}
