import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { inRegionScope, type Principal, principalKey, rateLimitKey } from '../src/index.ts'
import { clientRequestId } from '../src/platform.ts'

// The one home of token scope: what a principal reaches, and the key its records are kept under.

const p = (extra: Partial<Principal>): Principal => ({
  subject: 'shared',
  clientId: 'shared',
  tokenId: 'jti',
  role: 'investigator',
  ...extra,
})

describe('principal scope and keys (issue 20)', () => {
  it('bounds every role that names a region, and region-bound roles always', () => {
    expect(inRegionScope(p({ region: '4401' }), '130102')).toBe(false)
    expect(inRegionScope(p({ region: '13' }), '130102')).toBe(true)
    expect(inRegionScope(p({}), '130102')).toBe(true)
    expect(inRegionScope(p({ role: 'card_service', region: '44' }), '130102')).toBe(false)
    expect(inRegionScope(p({ role: 'finance' }), '130102')).toBe(false)
    expect(inRegionScope(p({ role: 'finance', region: '1301' }), '130102')).toBe(true)
  })

  it('keys idempotency and rate limits by the whole principal', () => {
    const variants = [
      p({}),
      p({ issuer: 'other-issuer' }),
      p({ role: 'auditor' }),
      p({ region: '13' }),
      p({ institution: 'inst-1' }),
    ]
    expect(new Set(variants.map(principalKey)).size).toBe(variants.length)
    const limited = variants.map((principal) => rateLimitKey({ principal, ip: '10.0.0.1' } as FastifyRequest))
    expect(new Set(limited).size).toBe(variants.length)
    expect(principalKey(p({}))).toBe(principalKey(p({ tokenId: 'another-jti' })))
  })

  it('keeps a client’s request id only when it is a UUID or a ULID', () => {
    expect(clientRequestId('0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a')).toBe(
      '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a',
    )
    expect(clientRequestId('01HZY3M8Q5T0V6W7X8Y9Z0A1B2')).toBe('01HZY3M8Q5T0V6W7X8Y9Z0A1B2')
    for (const bad of ['130102199003077774', 'req-abc-123', ['a', 'b'], undefined])
      expect(clientRequestId(bad as string | undefined)).toBeUndefined()
  })
})
