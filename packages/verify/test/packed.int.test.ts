import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeRecorded } from '@trec/contracts'
import { createCheckpointSigner } from '@trec/merkle'
import { foldWorkerArchive } from '@trec/readmodels'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportMutations } from '../../../services/audit/test/mutations.ts'
import {
  allEvents,
  auditApp,
  checkpointKeyPair,
  notary,
  openLog,
  origin,
  runVerify,
  seedHistory,
} from '../../../services/audit/test/support.ts'

// The verifier as an auditor gets it: `npm pack` of @trec/verify (bundled at pack time), installed
// from the tarball alone into an empty folder with npm, offline, and run by the machine's own
// Node 20 (not the workspace's Node 24) on what a running audit server answered over HTTP: a
// worker's export and a claim's, a checkpoint, an inclusion and a consistency proof, and every
// kind of tampered export the tamper suite makes. Skipped, with the reason, without a Node 20 or
// npm.

const run = promisify(execFile)
const here = import.meta.dirname

/** The machine's Node 20: /usr/bin/node or another on PATH, never the workspace's own. */
async function findNode20(): Promise<{ node: string } | { skip: string }> {
  const candidates = new Set(['/usr/bin/node', '/usr/local/bin/node'])
  const onPath = await run('which', ['-a', 'node']).catch(() => ({ stdout: '' }))
  for (const line of onPath.stdout.split('\n'))
    if (line !== '' && !line.includes('node_modules')) candidates.add(line)
  const seen: string[] = []
  for (const node of candidates) {
    const version = await run(node, ['--version']).then(
      (r) => r.stdout.trim(),
      () => undefined,
    )
    if (version === undefined) continue
    seen.push(`${node} ${version}`)
    if (version.startsWith('v20.')) return { node }
  }
  const npm = await run('npm', ['--version']).catch(() => undefined)
  if (!npm) return { skip: 'npm is not on PATH' }
  return { skip: `no Node 20 on this machine (found: ${seen.join(', ') || 'none'})` }
}

const found = await findNode20()
const suite = 'skip' in found ? describe.skip : describe
const title =
  'skip' in found
    ? `the packed verifier on Node 20 (skipped: ${found.skip})`
    : 'the packed verifier on Node 20'

suite(title, () => {
  const node = 'node' in found ? found.node : ''
  const key = checkpointKeyPair()
  let dir: string
  let cli: string
  let worker: string
  let closeServer: () => Promise<void>
  const file = (name: string) => join(dir, name)

  const verify = (...args: string[]) => runVerify(args, { node, script: cli })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trec-packed-'))

    // Pack and install: the tarball is all the auditor gets.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: join(here, '..'),
      timeout: 120_000,
    })
    const tarball = join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename)
    const auditor = file('auditor')
    await mkdir(auditor)
    await writeFile(join(auditor, 'package.json'), '{"name":"auditor","private":true}\n')
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: auditor,
      timeout: 120_000,
    })
    cli = join(auditor, 'node_modules/@trec/verify/dist/cli.js')

    // A log with a checkpoint the auditor saw, served over HTTP.
    const log = await openLog()
    const record = await seedHistory(log.store, 5, 23)
    worker = record.workers[0]!
    const n = await notary(log, {}, key)
    await n.sync()
    const first = (await n.checkpoint())!
    const { app, tokens } = await auditApp(log, key)
    await app.listen({ port: 0, host: '127.0.0.1' })
    closeServer = () => app.close()
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
      const text = await res.text()
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`)
      return text
    }
    await get(`/v1/audit/exports/workers/${worker}?purpose=audit`)
    await n.sync()
    const second = (await n.checkpoint())!
    await n.stop()

    const since = `consistencyWith=${first.size}`
    const workerExport = await get(`/v1/audit/exports/workers/${worker}?purpose=audit&${since}`)
    await writeFile(file('worker.ndjson'), workerExport)
    const claim = record.payments[0]!.claim
    await writeFile(
      file('claim.ndjson'),
      await get(`/v1/audit/exports/claims/${claim}?purpose=audit&${since}`),
    )
    const cls = Object.keys(record.classes)[0]!
    await writeFile(
      file('class.ndjson'),
      await get(`/v1/audit/exports/classes/${cls}?purpose=audit&${since}`),
    )
    await writeFile(file('keys.jwks'), await get('/v1/audit/keys.jwks'))
    await writeFile(file('seen.txt'), `${first.note}\n`)
    await writeFile(file('checkpoint.json'), await get('/v1/audit/checkpoints/latest'))
    const line = JSON.parse(workerExport.split('\n')[1]!) as { event: { id: string } }
    await writeFile(file('leaf.json'), JSON.stringify(line.event))
    await writeFile(
      file('inclusion.json'),
      await get(`/v1/audit/proofs/inclusion?eventId=${line.event.id}&size=${second.size}`),
    )
    await writeFile(file('consistency.json'), await get(`/v1/audit/proofs/consistency?from=${first.size}`))

    // What the card service answers for this worker (POST /v1/archive/lookup): the read side's
    // archive of the events up to the checkpoint, in its answer's shape.
    const decoded = (await allEvents(log.store)).slice(0, second.size).map(decodeRecorded)
    const archive = foldWorkerArchive(worker, decoded)
    const answer = { worker, archive, access: { event: line.event.id, flags: [] } }
    await writeFile(file('card-answer.json'), JSON.stringify(answer))
  })

  afterAll(async () => {
    await closeServer?.()
  })

  it('installs with no dependencies and answers --help on Node 20', async () => {
    const installed = await readdir(file('auditor/node_modules'))
    expect(installed.filter((name) => !name.startsWith('.'))).toEqual(['@trec'])
    const help = await verify('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/exit codes: 0 verified, 1 verification failed/)
    expect((await verify(file('worker.ndjson'))).code).toBe(2)
  })

  it("verifies a worker's export against the card service's whole answer", async () => {
    const args = [file('worker.ndjson'), '--keys', file('keys.jwks'), '--seen', file('seen.txt')]
    const ok = await verify(...args, '--expect', file('card-answer.json'))
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      selection: { kind: 'worker', worker },
      replay: { fold: 'worker-archive', matchesExpected: true },
    })
    const answer = JSON.parse(await readFile(file('card-answer.json'), 'utf8'))
    answer.archive.totals.certificates += 1
    await writeFile(file('wrong-answer.json'), JSON.stringify(answer))
    const wrong = await verify(...args, '--expect', file('wrong-answer.json'))
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/replay-mismatch: worker-archive: .*\$\.totals\.certificates/)
  })

  it('checks the lines on worker threads too (the bundled thread module), naming the same result', async () => {
    const args = [file('worker.ndjson'), '--keys', file('keys.jwks'), '--expect', file('card-answer.json')]
    const threaded = await verify(...args, '--threads', '2', '--run-kib', '1')
    expect(threaded.code, threaded.stderr).toBe(0)
    const single = JSON.parse((await verify(...args, '--threads', '1')).stdout)
    expect({ ...JSON.parse(threaded.stdout), nodeHashes: 0 }).toEqual({ ...single, nodeHashes: 0 })
  })

  it("verifies a claim's export", async () => {
    const ok = await verify(file('claim.ndjson'), '--keys', file('keys.jwks'), '--seen', file('seen.txt'))
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, selection: { kind: 'claim' } })
  })

  it('verifies a checkpoint, an inclusion proof and a consistency proof, and refuses altered ones', async () => {
    const keys = ['--keys', file('keys.jwks')]
    const seen = ['--seen', file('seen.txt')]
    expect((await verify('checkpoint', file('checkpoint.json'), ...keys, ...seen)).code).toBe(0)
    const inclusion = await verify('inclusion', file('inclusion.json'), ...keys, '--leaf', file('leaf.json'))
    expect(inclusion.code, inclusion.stderr).toBe(0)
    expect(JSON.parse(inclusion.stdout)).toMatchObject({ kind: 'inclusion', leafChecked: true })
    const consistency = await verify('consistency', file('consistency.json'), ...keys, ...seen)
    expect(consistency.code, consistency.stderr).toBe(0)
    expect(JSON.parse(consistency.stdout)).toMatchObject({ kind: 'consistency', fromRootSeen: true })

    const proof = JSON.parse(await readFile(file('inclusion.json'), 'utf8'))
    proof.leafIndex += 1
    await writeFile(file('inclusion-bad.json'), JSON.stringify(proof))
    const bad = await verify('inclusion', file('inclusion-bad.json'), ...keys)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('inclusion-failed')
    const other = JSON.parse(await readFile(file('consistency.json'), 'utf8'))
    other.fromRoot = other.toRoot
    await writeFile(file('consistency-bad.json'), JSON.stringify(other))
    const forked = await verify('consistency', file('consistency-bad.json'), ...keys, ...seen)
    expect(forked.code).toBe(1)
    expect(forked.stderr).toContain('consistency-failed')
  })

  it('detects each kind of tampered export the tamper suite makes, with the right reason', async () => {
    const base = await readFile(file('class.ndjson'), 'utf8')
    const foreign = await createCheckpointSigner({ name: origin, privateKey: checkpointKeyPair().privateKey })
    const { kinds, make } = exportMutations(base, 20_261_206, foreign)
    const detected = new Map<string, number>()
    for (const kind of kinds) {
      for (let made = 0, tries = 0; made < 2 && tries < 20; tries += 1) {
        const mutation = await make(kind)
        if (!mutation || Buffer.from(mutation.text).equals(Buffer.from(base))) continue
        const path = file(`tampered-${detected.size}-${made}.ndjson`)
        await writeFile(path, mutation.text)
        const result = await verify(path, '--keys', file('keys.jwks'), '--seen', file('seen.txt'))
        expect(result.code, `${kind}: ${result.stderr}`).toBe(1)
        const { failure } = JSON.parse(result.stdout)
        expect(mutation.reasons, `${kind}: ${failure.reason}`).toContain(failure.reason)
        if (mutation.line !== undefined) expect(failure.line, kind).toBe(mutation.line)
        made += 1
        detected.set(kind, made)
      }
    }
    expect([...detected.keys()].sort()).toEqual([...kinds].sort())
  }, 300_000)
})
