import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CompactTree,
  createCheckpointSigner,
  leafHash,
  MemoryNodeStore,
  parseCheckpoint,
  signCheckpointNote,
  verifyCheckpointNote,
} from '@trec/merkle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { leafText } from '../src/leaf.ts'
import { requestCosignature, withCosignatures } from '../src/witness/client.ts'
import {
  allEvents,
  checkpointKeyPair,
  notary,
  openLog,
  origin,
  pinned,
  runVerify,
  seedHistory,
  signing,
} from './support.ts'
import { type Running, startWitness } from './witness-process.ts'

// Witness cosigning (C2SP tlog-witness, tlog-cosignature): two reference witnesses, each its own
// process, cosign the log's checkpoints after checking consistency with what they cosigned
// before; the verifier accepts a checkpoint only with the number of cosignatures asked; a forked
// log shown to one witness is refused by it, and it reports both signed notes as evidence.

const verify = (...args: string[]) => runVerify(args)

describe('witness cosigning', () => {
  const key = checkpointKeyPair()
  const running: Running[] = []
  let dir: string
  let logKey: string
  let nodes: MemoryNodeStore
  let first: { size: number; note: string }
  let second: { size: number; note: string }
  const file = (name: string) => join(dir, name)
  const witnessArgs = (n: number) => [
    '--name',
    `witness.example.org/w${n}`,
    '--key',
    file(`w${n}.pem`),
    '--log',
    logKey,
    '--state',
    file(`w${n}.json`),
  ]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trec-witness-'))
    const log = await openLog()
    await seedHistory(log.store, 3, 5)
    const n = await notary(log, {}, key)
    await n.sync()
    first = (await n.checkpoint())!
    await seedHistory(log.store, 2, 6)
    await n.sync()
    second = (await n.checkpoint())!
    await n.stop()
    // The log's nodes, for consistency proofs: rebuilt from its events.
    nodes = new MemoryNodeStore()
    const tree = CompactTree.empty()
    for (const e of (await allEvents(log.store)).slice(0, second.size))
      await nodes.putNodes(tree.append(leafHash(Buffer.from(leafText(e), 'utf8'))))
    const keys = await pinned(signing(key))
    logKey = keys.toNoteVerifierKeys()[0]!
    await writeFile(file('log.keys'), `${logKey}\n`)
    for (const n of [1, 2]) running.push(await startWitness(witnessArgs(n)))
    await writeFile(file('witnesses.txt'), running.map((w) => `${w.key}\n`).join(''))
  })

  afterAll(() => {
    for (const w of running) w.child.kill()
  })

  it('two witnesses cosign; the verifier asks for the cosignatures it was told to', async () => {
    const cosignatures: string[] = []
    for (const w of running) {
      expect(await requestCosignature(w.url, first.note, first.size, nodes)).toMatchObject({ ok: true })
      // From size 0 again: the witness answers with the size it cosigned, and gets a proof from it.
      const result = await requestCosignature(w.url, second.note, second.size, nodes)
      if (!result.ok) throw new Error(result.message)
      cosignatures.push(result.cosignatures)
    }
    await writeFile(file('both.note'), withCosignatures(second.note, ...cosignatures))
    await writeFile(file('one.note'), withCosignatures(second.note, cosignatures[0]!))
    const args = ['--keys', file('log.keys'), '--witnesses', file('witnesses.txt')]

    const both = await verify('checkpoint', file('both.note'), ...args)
    expect(both.code, both.stderr).toBe(0)
    const one = await verify('checkpoint', file('one.note'), ...args)
    expect(one.code).toBe(1)
    expect(one.stderr).toContain('checkpoint-too-few-cosignatures: 1 of the pinned witnesses')
    expect((await verify('checkpoint', file('one.note'), ...args, '--cosignatures', '1')).code).toBe(0)
    // The log's own note, with no cosignature, is refused once witnesses are required.
    await writeFile(file('bare.note'), second.note)
    expect((await verify('checkpoint', file('bare.note'), ...args, '--cosignatures', '1')).stderr).toContain(
      'checkpoint-too-few-cosignatures',
    )
    // A cosignature altered in transit fails rather than being ignored.
    const line = cosignatures[1]!
    const blob = Buffer.from(line.slice(line.lastIndexOf(' ') + 1), 'base64')
    blob[blob.length - 1]! ^= 1
    const altered = `${line.slice(0, line.lastIndexOf(' ') + 1)}${blob.toString('base64')}\n`
    await writeFile(file('altered.note'), withCosignatures(second.note, cosignatures[0]!, altered))
    expect((await verify('checkpoint', file('altered.note'), ...args)).stderr).toContain(
      'checkpoint-bad-cosignature',
    )
  }, 120_000) // seven runs of the verify command, each its own process

  it('a forked log shown to one witness is refused by it, and reported with both signed notes', async () => {
    const [w1, w2] = running
    // The log (its key) signs another tree of the same size, and a larger one that does not extend it.
    const signer = await createCheckpointSigner({ name: origin, privateKey: key.privateKey })
    const body = parseCheckpoint(second.note.slice(0, second.note.lastIndexOf('\n\n') + 1))
    const forked = await signCheckpointNote(
      { ...body, root: new Uint8Array(32).fill(7), timestamp: body.timestamp + 1 },
      signer,
    )
    const post = (url: string, text: string) => fetch(`${url}/add-checkpoint`, { method: 'POST', body: text })
    const sameSize = await post(w1!.url, `old ${second.size}\n\n${forked}`)
    expect(sameSize.status).toBe(409)
    const larger = await signCheckpointNote(
      { ...body, size: body.size + 5, root: new Uint8Array(32).fill(9), timestamp: body.timestamp + 2 },
      signer,
    )
    const wrongProof = Buffer.alloc(32, 1).toString('base64')
    const inconsistent = await post(w1!.url, `old ${second.size}\n${wrongProof}\n${wrongProof}\n\n${larger}`)
    expect(inconsistent.status).toBe(422)

    const { forks } = (await (await fetch(`${w1!.url}/forks`)).json()) as {
      forks: { kind: string; cosigned: string; offered: string }[]
    }
    expect(forks.map((f) => f.kind)).toEqual(['same-size-different-root', 'inconsistent'])
    // The evidence stands on its own: both notes verify against the log's key, one size, two roots.
    const keys = await pinned(signing(key))
    const [a, b] = [forks[0]!.cosigned, forks[0]!.offered].map((note) => {
      const result = verifyCheckpointNote(note, { origin, keys })
      if (!result.ok) throw new Error(result.message)
      return result.checkpoint
    })
    expect(a!.size).toBe(b!.size)
    expect(Buffer.from(a!.root).equals(Buffer.from(b!.root))).toBe(false)
    // The verifier, holding the cosigned checkpoint, names the fork too.
    await writeFile(file('seen.txt'), forks[0]!.cosigned)
    await writeFile(file('forked.note'), forked)
    const refused = await verify(
      'checkpoint',
      file('forked.note'),
      '--keys',
      file('log.keys'),
      '--seen',
      file('seen.txt'),
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `consistency-failed: two different roots were signed for size ${second.size}`,
    )
    // The other witness never saw the fork and still follows the genuine log.
    expect(await requestCosignature(w2!.url, second.note, second.size, nodes, second.size)).toMatchObject({
      ok: true,
    })
  })

  it('keeps what it cosigned across a restart', async () => {
    running[0]!.child.kill()
    running[0] = await startWitness(witnessArgs(1))
    const answer = await fetch(`${running[0]!.url}/add-checkpoint`, {
      method: 'POST',
      body: `old 0\n\n${first.note}`,
    })
    expect(answer.status).toBe(409)
    expect(answer.headers.get('content-type')).toBe('text/x.tlog.size')
    expect(await answer.text()).toBe(`${second.size}\n`)
  })
})
