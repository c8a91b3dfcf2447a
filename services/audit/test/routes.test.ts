import { KeySet } from '@trec/merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import { auditApp, checkpointKeyPair, notary, openLog, seedHistory, signing, verifyText } from './support.ts'

// The audit API over real signed tokens: who may call what (auditors everything, investigators
// checkpoints and proofs, nobody else), what is refused as bad input (nothing appended), and the
// public keys.

describe('the audit API', () => {
  const key = checkpointKeyPair()
  let ctx: Awaited<ReturnType<typeof setup>>

  async function setup() {
    const log = await openLog()
    const record = await seedHistory(log.store, 4, 7)
    const n = await notary(log, {}, key)
    await n.sync()
    const checkpoint = (await n.checkpoint())!
    await n.stop()
    const { app, tokens } = await auditApp(log, key)
    const events = await log.store.readAll({ maxCount: 3 })
    const call = (url: string, token?: string) =>
      app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })
    return { log, record, app, tokens, events, checkpoint, call }
  }

  beforeAll(async () => {
    ctx = await setup()
  })

  const routes = () => {
    const { record, events, checkpoint } = ctx
    return {
      latest: '/v1/audit/checkpoints/latest',
      bySize: `/v1/audit/checkpoints/${checkpoint.size}`,
      inclusion: `/v1/audit/proofs/inclusion?eventId=${events[1]!.id}&size=${checkpoint.size}`,
      consistency: `/v1/audit/proofs/consistency?from=3&to=${checkpoint.size}`,
      worker: `/v1/audit/exports/workers/${record.workers[0]}?purpose=audit`,
      claim: `/v1/audit/exports/claims/${record.payments[0]!.claim}?purpose=audit`,
      class: `/v1/audit/exports/classes/${Object.keys(record.classes)[0]}?purpose=audit`,
      region: '/v1/audit/exports/regions/13?purpose=audit&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z',
    }
  }
  const exportsOnly = ['worker', 'claim', 'class', 'region']

  it('answers 401 without a valid token, on every route', async () => {
    const bad = await ctx.tokens.bad({ sub: 'auditor-1', role: 'auditor' })
    for (const [name, url] of Object.entries(routes())) {
      for (const [why, token] of Object.entries(bad)) {
        const res = await ctx.call(url, token || undefined)
        expect(res.statusCode, `${name} with ${why}`).toBe(401)
        expect(res.headers['content-type']).toMatch(/problem\+json/)
      }
    }
  })

  it('answers 403 to roles other than auditor (and investigator, for checkpoints and proofs)', async () => {
    const before = await ctx.log.store.lastPosition()
    for (const role of [
      'institution_staff',
      'device',
      'assessor',
      'subsidy_officer',
      'finance',
      'reviewer',
      'card_service',
      'admin',
    ] as const) {
      const token = await ctx.tokens.mint({
        sub: `${role}-1`,
        role,
        institution: 'inst-130100-0042',
        region: '130100',
      })
      for (const [name, url] of Object.entries(routes())) {
        expect((await ctx.call(url, token)).statusCode, `${role} on ${name}`).toBe(403)
      }
    }
    const investigator = await ctx.tokens.mint({ sub: 'inv-1', role: 'investigator' })
    for (const [name, url] of Object.entries(routes())) {
      const status = (await ctx.call(url, investigator)).statusCode
      expect(status, `investigator on ${name}`).toBe(exportsOnly.includes(name) ? 403 : 200)
    }
    expect(await ctx.log.store.lastPosition()).toBe(before)
  })

  it('lets the auditor call every route', async () => {
    const auditor = await ctx.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    for (const [name, url] of Object.entries(routes())) {
      const res = await ctx.call(url, auditor)
      expect(res.statusCode, `${name}: ${res.body.slice(0, 300)}`).toBe(200)
    }
  })

  it('serves the published keys without a token, as a JWKS and as note verifier keys', async () => {
    const jwks = await ctx.call('/v1/audit/keys.jwks')
    expect(jwks.statusCode).toBe(200)
    expect(jwks.headers['content-type']).toMatch(/^application\/jwk-set\+json/)
    const set = await KeySet.fromJwks(jwks.json())
    const note = await ctx.call('/v1/audit/keys.note')
    expect(note.headers['content-type']).toMatch(/^text\/plain/)
    expect(note.body.trim().split('\n')).toEqual(set.toNoteVerifierKeys())
    // An export verifies against the served keys (an auditor would pin them out of band).
    const auditor = await ctx.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    const res = await ctx.call(routes().worker, auditor)
    expect((await verifyText(res.body, set)).ok).toBe(true)
  })

  it('refuses bad input with 400 naming the field, and appends nothing', async () => {
    const auditor = await ctx.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    const { record, checkpoint } = ctx
    const w = record.workers[0]
    const cases: [string, string][] = [
      [`/v1/audit/exports/workers/${w}`, 'purpose'],
      [`/v1/audit/exports/workers/${w}?purpose=curiosity`, 'purpose'],
      [`/v1/audit/exports/workers/${w}?purpose=card_holder_request`, 'purpose'],
      [`/v1/audit/exports/workers/${w}?purpose=fraud_case`, 'case'],
      [`/v1/audit/exports/workers/${w}?purpose=audit&size=0`, 'size'],
      [`/v1/audit/exports/workers/${w}?purpose=audit&consistencyWith=0,5`, 'consistencyWith'],
      [
        `/v1/audit/exports/workers/${w}?purpose=audit&consistencyWith=${checkpoint.size + 100}`,
        'consistencyWith',
      ],
      [`/v1/audit/exports/workers/${w}?purpose=audit&extra=1`, 'query'],
      ['/v1/audit/exports/workers/not-a-pseudonym?purpose=audit', 'worker'],
      [
        '/v1/audit/exports/regions/130?purpose=audit&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z',
        'region',
      ],
      ['/v1/audit/exports/regions/13?purpose=audit&from=2024-01-01T00:00:00Z&to=2023-01-01T00:00:00Z', 'to'],
      ['/v1/audit/exports/regions/13?purpose=audit&from=yesterday&to=2023-01-01T00:00:00Z', 'from'],
      ['/v1/audit/proofs/inclusion?eventId=123', 'eventId'],
      [`/v1/audit/proofs/inclusion?eventId=${ctx.events[0]!.id}&size=${checkpoint.size + 1000}`, 'size'],
      [`/v1/audit/proofs/consistency?from=${checkpoint.size}&to=2`, 'from'],
      ['/v1/audit/proofs/consistency?from=0', 'from'],
    ]
    const before = await ctx.log.store.lastPosition()
    for (const [url, field] of cases) {
      const res = await ctx.call(url, auditor)
      expect(res.statusCode, url).toBe(400)
      const paths = ((res.json() as { errors?: { path: unknown[] }[] }).errors ?? []).map((e) =>
        e.path.join('.'),
      )
      expect(
        paths.some((p) => p.includes(field)),
        `${url}: ${JSON.stringify(paths)}`,
      ).toBe(true)
    }
    expect(await ctx.log.store.lastPosition()).toBe(before)
  })

  it('answers 404 for an event the log does not hold and a size never signed', async () => {
    const auditor = await ctx.tokens.mint({ sub: 'aud-1', role: 'auditor' })
    const missing = await ctx.call(
      '/v1/audit/proofs/inclusion?eventId=0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d',
      auditor,
    )
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'TREC_NOT_FOUND', reason: 'not-logged' })
    expect((await ctx.call('/v1/audit/checkpoints/2', auditor)).statusCode).toBe(404)
  })

  it('answers proofs that hold against the signed checkpoint', async () => {
    const investigator = await ctx.tokens.mint({ sub: 'inv-1', role: 'investigator' })
    const { verifyInclusion, verifyConsistency, leafHash } = await import('@trec/merkle')
    const { leafText } = await import('../src/leaf.ts')
    const res = await ctx.call(routes().inclusion, investigator)
    const body = res.json() as {
      leafIndex: number
      treeSize: number
      leafHash: string
      proof: string[]
      checkpoint: { rootHash: string }
    }
    const leaf = leafHash(Buffer.from(leafText(ctx.events[1]!)))
    expect(body.leafHash).toBe(Buffer.from(leaf).toString('base64'))
    const proof = body.proof.map((p) => Buffer.from(p, 'base64'))
    expect(
      verifyInclusion(
        leaf,
        body.leafIndex,
        body.treeSize,
        proof,
        Buffer.from(body.checkpoint.rootHash, 'base64'),
      ),
    ).toEqual({ ok: true })
    const c = (await ctx.call(routes().consistency, investigator)).json() as {
      from: number
      to: number
      fromRoot: string
      toRoot: string
      proof: string[]
    }
    const ok = verifyConsistency(
      c.from,
      c.to,
      c.proof.map((p) => Buffer.from(p, 'base64')),
      Buffer.from(c.fromRoot, 'base64'),
      Buffer.from(c.toRoot, 'base64'),
    )
    expect(ok).toEqual({ ok: true })
  })

  it('refuses to start with a signing key missing from the published set', async () => {
    const { resolveSigning } = await import('../src/signing.ts')
    const other = checkpointKeyPair()
    const published = (
      await KeySet.create([{ name: 'x', publicKey: other.publicKey, notBefore: new Date(0) }])
    ).toJwks()
    await expect(resolveSigning({ ...signing(key), published })).rejects.toThrow(/published/)
  })
})
