import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Notary } from '../src/notary/notary.ts'
import { AuditDb } from '../src/sql/audit-db.ts'
import {
  auditApp,
  checkpointKeyPair,
  type Log,
  notary,
  openLog,
  pinned,
  runVerify,
  seedHistory,
  signing,
} from './support.ts'
import { type Running, startWitness } from './witness-process.ts'

// The notary sends its checkpoints to the witnesses itself (notary/cosign.ts): two reference
// witnesses, each its own process, cosign every checkpoint it signs; the cosignatures are
// stored, and the audit API's checkpoint answers and exports carry them, so trec-verify
// accepts an export only when the number of cosignatures it demands is there.

/** Waits for `check` to hold, at most `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the notary has its checkpoints cosigned by two witness processes', () => {
  const key = checkpointKeyPair()
  const running: Running[] = []
  const errors: string[] = []
  let dir: string
  let log: Log
  let n: Notary
  let audit: AuditDb
  let worker: string
  const file = (name: string) => join(dir, name)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trec-notary-witness-'))
    const logKey = (await pinned(signing(key))).toNoteVerifierKeys()[0]!
    await writeFile(file('log.keys'), `${logKey}\n`)
    for (const w of [1, 2])
      running.push(
        await startWitness([
          ...['--name', `witness.example.org/w${w}`, '--key', file(`w${w}.pem`)],
          ...['--log', logKey, '--state', file(`w${w}.json`)],
        ]),
      )
    await writeFile(file('witnesses.txt'), running.map((w) => `${w.key}\n`).join(''))
    log = await openLog()
    worker = (await seedHistory(log.store, 3, 5)).workers[0]!
    audit = new AuditDb(log.db, log.schema)
    n = await notary(
      log,
      {
        witnesses: { urls: running.map((w) => w.url), required: 2, retryMs: 100 },
        onError: (error) => errors.push(String(error)),
      },
      key,
    )
  }, 60_000)

  afterAll(async () => {
    await n?.stop()
    for (const w of running) w.child.kill()
  })

  it('stores both cosignatures of each checkpoint; the API and exports carry them; the verifier counts them', async () => {
    await n.sync()
    const first = (await n.checkpoint())!
    await until(
      'two cosignatures of the first checkpoint',
      async () => (await audit.checkpoint())!.cosignatures === 2,
    )
    // A second checkpoint: each witness is asked with a consistency proof from the first.
    await seedHistory(log.store, 2, 6)
    await n.sync()
    const second = (await n.checkpoint())!
    expect(second.size).toBeGreaterThan(first.size)
    await until(
      'two cosignatures of the second checkpoint',
      async () => (await audit.checkpoint())!.cosignatures === 2,
    )
    expect(errors).toEqual([])

    const { app, tokens } = await auditApp(log, key, { witnessCosignatures: 2 })
    const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const get = async (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    const latest = (await get('/v1/audit/checkpoints/latest')).json() as { size: number; note: string }
    expect(latest.size).toBe(second.size)
    expect(latest.note.match(/^\u2014 witness\.example\.org\/w[12] /gm)).toHaveLength(2)
    const listed = (await get('/v1/audit/checkpoints')).json() as { items: { note: string }[] }
    expect(listed.items.every((c) => c.note.includes('\u2014 witness.example.org/w2 '))).toBe(true)

    const exported = await get(`/v1/audit/exports/workers/${worker}?purpose=audit`)
    expect(exported.statusCode, exported.body).toBe(200)
    await writeFile(file('export.ndjson'), exported.body)
    const args = ['--keys', file('log.keys'), '--witnesses', file('witnesses.txt')]
    const both = await runVerify([file('export.ndjson'), ...args, '--fold', 'none'])
    expect(both.code, both.stderr).toBe(0)

    // The same export's checkpoint with one witness's line taken out: refused, too few.
    const header = JSON.parse(exported.body.slice(0, exported.body.indexOf('\n')))
    const oneLine = (header.checkpoint.note as string).replace(/^\u2014 witness\.example\.org\/w2 .*\n/m, '')
    await writeFile(file('one.note'), oneLine)
    const one = await runVerify(['checkpoint', file('one.note'), ...args])
    expect(one.code).toBe(1)
    expect(one.stderr).toContain('checkpoint-too-few-cosignatures: 1 of the pinned witnesses')
    expect((await runVerify(['checkpoint', file('one.note'), ...args, '--cosignatures', '1'])).code).toBe(0)
  }, 120_000)

  it('with a witness down, reports it, and the API defaults to the newest checkpoint both cosigned', async () => {
    const before = (await audit.checkpoint())!
    running[1]!.child.kill()
    await seedHistory(log.store, 1, 7)
    await n.sync()
    const third = (await n.checkpoint())!
    expect(third.size).toBeGreaterThan(before.size)
    await until('the witness that is down reported', async () =>
      errors.some((e) => e.includes('1 of 2 required')),
    )
    expect((await audit.checkpoint())!.cosignatures).toBe(1)
    const { app, tokens } = await auditApp(log, key, { witnessCosignatures: 2 })
    const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const latest = (
      await app.inject({
        method: 'GET',
        url: '/v1/audit/checkpoints/latest',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json() as { size: number }
    expect(latest.size).toBe(before.size)
  }, 60_000)
})
