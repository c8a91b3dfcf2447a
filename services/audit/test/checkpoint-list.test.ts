import { beforeAll, describe, expect, it } from 'vitest'
import { allEvents, auditApp, checkpointKeyPair, notary, openLog, seedHistory } from './support.ts'

// GET /v1/audit/checkpoints: the history of signed checkpoints, newest first, paged by an opaque
// cursor; every page boundary holds while the notary signs more, and bad paging is a 400.

describe('the checkpoint history', () => {
  const key = checkpointKeyPair()
  let ctx: Awaited<ReturnType<typeof setup>>

  async function setup() {
    const log = await openLog()
    await seedHistory(log.store)
    const n = await notary(log, { checkpointEvery: { leaves: 10, seconds: 3600 }, batchSize: 5 }, key)
    await n.sync()
    await n.stop()
    const signed = Math.floor((await allEvents(log.store)).length / 10)
    const { app, tokens } = await auditApp(log, key)
    const auditor = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const get = async (url: string, token = auditor) => {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
      return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() }
    }
    return { log, app, tokens, get, signed }
  }

  beforeAll(async () => {
    ctx = await setup()
  })

  it('pages through every checkpoint, newest first, each exactly once', async () => {
    expect(ctx.signed).toBeGreaterThan(5)
    const sizes: number[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 100; pages++) {
      const page = await ctx.get(`/v1/audit/checkpoints?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status).toBe(200)
      expect(page.body.items.length).toBeLessThanOrEqual(2)
      sizes.push(...page.body.items.map((c: { size: number }) => c.size))
      cursor = page.body.nextCursor
      if (!cursor) break
    }
    expect(sizes).toEqual(Array.from({ length: ctx.signed }, (_, i) => (ctx.signed - i) * 10))
    const first = await ctx.get('/v1/audit/checkpoints')
    expect(first.body.items[0]).toEqual((await ctx.get('/v1/audit/checkpoints/latest')).body)
  })

  it('refuses a forged cursor, a cursor edited or from another list, and a limit over 200, with problem+json', async () => {
    const { nextCursor } = (await ctx.get('/v1/audit/checkpoints?limit=1')).body
    const [payload, tag] = nextCursor.split('.')
    const otherList = `${Buffer.from(JSON.stringify({ list: 'claims', after: [1] })).toString('base64url')}.${tag}`
    const edited = `${Buffer.from(JSON.stringify({ list: 'checkpoints', after: [2] })).toString('base64url')}.${tag}`
    for (const [url, field] of [
      ['/v1/audit/checkpoints?cursor=not-a-cursor', 'cursor'],
      [`/v1/audit/checkpoints?cursor=${edited}`, 'cursor'],
      [`/v1/audit/checkpoints?cursor=${otherList}`, 'cursor'],
      [`/v1/audit/checkpoints?cursor=${payload}.${'A'.repeat(16)}`, 'cursor'],
      ['/v1/audit/checkpoints?limit=201', 'limit'],
      ['/v1/audit/checkpoints?limit=0', 'limit'],
    ] as const) {
      const res = await ctx.get(url)
      expect(res.status, url).toBe(400)
      expect(res.type).toMatch(/application\/problem\+json/)
      expect(JSON.stringify(res.body.issues ?? res.body.errors), url).toContain(field)
    }
    expect((await ctx.get('/v1/audit/checkpoints?limit=200')).status).toBe(200)
  })

  it('is for auditors and investigators only', async () => {
    const officer = await ctx.tokens.mint({ sub: 'officer-1', role: 'subsidy_officer' })
    expect((await ctx.get('/v1/audit/checkpoints', officer)).status).toBe(403)
    const investigator = await ctx.tokens.mint({ sub: 'inv-1', role: 'investigator' })
    expect((await ctx.get('/v1/audit/checkpoints', investigator)).status).toBe(200)
  })
})
