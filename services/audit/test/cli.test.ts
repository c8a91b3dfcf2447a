import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { auditApp, checkpointKeyPair, notary, openLog, runVerify, seedHistory } from './support.ts'

// The verify command as an auditor runs it: `node services/audit/src/verify/cli.ts export.ndjson
// --keys pinned.jwks [--seen checkpoints.txt] [--expect result.json]`, offline, on files.

const verify = (...args: string[]) => runVerify(args)

describe('trec-verify (the command)', () => {
  let dir: string
  let worker: string
  let earlierNote: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trec-verify-'))
    const key = checkpointKeyPair()
    const log = await openLog()
    const record = await seedHistory(log.store, 3, 3)
    worker = record.workers[0]!
    const n = await notary(log, {}, key)
    await n.sync()
    const first = (await n.checkpoint())!
    earlierNote = first.note
    const { app, tokens } = await auditApp(log, key)
    const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    await get(`/v1/audit/exports/workers/${worker}?purpose=audit`)
    await n.sync()
    await n.checkpoint()
    await n.stop()
    const exported = await get(
      `/v1/audit/exports/workers/${worker}?purpose=audit&consistencyWith=${first.size}`,
    )
    await writeFile(join(dir, 'export.ndjson'), exported.body)
    await writeFile(join(dir, 'pinned.jwks'), (await get('/v1/audit/keys.jwks')).body)
    await writeFile(join(dir, 'pinned.note'), (await get('/v1/audit/keys.note')).body)
    await writeFile(join(dir, 'seen.txt'), `${earlierNote}\n`)
  })

  it('exits 0 and reports the checkpoint, the events and the replay', async () => {
    const { code, stdout } = await verify(join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.jwks'))
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({
      ok: true,
      selection: { kind: 'worker', worker },
      replay: { fold: 'worker-archive' },
    })
    await writeFile(
      join(dir, 'result.json'),
      JSON.stringify({ fold: 'worker-archive', result: report.replay.result }),
    )
  })

  it('takes note verifier keys as well as a JWKS', async () => {
    expect((await verify(join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.note'))).code).toBe(0)
  })

  it('checks consistency with the checkpoints seen before, and can add this one to them', async () => {
    const seen = join(dir, 'seen.txt')
    const { code } = await verify(
      join(dir, 'export.ndjson'),
      '--keys',
      join(dir, 'pinned.jwks'),
      '--seen',
      seen,
      '--update-seen',
    )
    expect(code).toBe(0)
    const notes = (await readFile(seen, 'utf8')).match(/^audit\.hebei/gm)
    expect(notes).toHaveLength(2)
    expect(
      (await verify(join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.jwks'), '--seen', seen)).code,
    ).toBe(0)
  })

  it('compares the replay with the expected result (--expect)', async () => {
    const args = [join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.jwks')]
    expect((await verify(...args, '--expect', join(dir, 'result.json'))).code).toBe(0)
    const expected = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'))
    expected.result.totals.certificates += 1
    await writeFile(join(dir, 'wrong.json'), JSON.stringify(expected))
    const wrong = await verify(...args, '--expect', join(dir, 'wrong.json'))
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/replay-mismatch: worker-archive: .*\$\.totals\.certificates/)
  })

  it('exits 1 naming the line, the event and what failed', async () => {
    const text = await readFile(join(dir, 'export.ndjson'), 'utf8')
    const lines = text.split('\n')
    const event = JSON.parse(lines[2]!).event as { id: string; revision: number }
    lines[2] = lines[2]!.replace(`"revision":${event.revision}`, `"revision":${event.revision + 1}`)
    await writeFile(join(dir, 'tampered.ndjson'), lines.join('\n'))
    const { code, stderr, stdout } = await verify(
      join(dir, 'tampered.ndjson'),
      '--keys',
      join(dir, 'pinned.jwks'),
    )
    expect(code).toBe(1)
    expect(stderr).toContain(`line 3, event ${event.id}: inclusion-failed`)
    expect(JSON.parse(stdout).failure).toMatchObject({
      line: 3,
      eventId: event.id,
      reason: 'inclusion-failed',
    })
  })

  it('draws a progress bar on stderr when asked', async () => {
    const { code, stderr } = await verify(
      join(dir, 'export.ndjson'),
      '--keys',
      join(dir, 'pinned.jwks'),
      '--progress',
    )
    expect(code).toBe(0)
    expect(stderr).toMatch(/\[#+\.*\] +100% +\d+ lines/)
  })

  it('exits 2 on wrong usage', async () => {
    expect((await verify(join(dir, 'export.ndjson'))).code).toBe(2)
    expect(
      (await verify(join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.jwks'), '--fold', 'nonsense'))
        .code,
    ).toBe(2)
    expect(
      (await verify(join(dir, 'export.ndjson'), '--keys', join(dir, 'pinned.jwks'), '--threads', '0')).code,
    ).toBe(2)
  })
})
