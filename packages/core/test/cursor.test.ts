import { describe, expect, it } from 'vitest'
import { cursorCodec } from '../src/cursor.ts'
import { isTrecError } from '../src/errors.ts'

describe('page cursors', () => {
  const key = 'a key of the test'
  const claims = cursorCodec('claims', key)

  it('gives back the position a cursor of the same list holds', () => {
    expect(claims.decode(claims.encode(['1024', 'clm-1']))).toEqual(['1024', 'clm-1'])
  })

  it('refuses with a 400 naming the field a cursor edited, made up, extended, or of another list', () => {
    const cursor = claims.encode(['1024'])
    const [payload, tag] = cursor.split('.') as [string, string]
    const edited = `${Buffer.from(JSON.stringify({ list: 'claims', after: ['1'] })).toString('base64url')}.${tag}`
    for (const bad of [
      edited,
      `${cursor}x`,
      `${cursor}A`,
      `${payload}.${tag.slice(0, -1)}`,
      `${cursor}.x`,
      'not-a-cursor',
      cursorCodec('alerts', key).encode(['1024']),
      cursorCodec('claims', 'another key').encode(['1024']),
    ]) {
      let refused: unknown
      try {
        claims.decode(bad)
      } catch (error) {
        refused = error
      }
      expect(isTrecError(refused, 'TREC_VALIDATION'), bad).toBe(true)
      expect(JSON.stringify((refused as { issues?: unknown }).issues ?? refused), bad).toContain('cursor')
    }
  })
})
