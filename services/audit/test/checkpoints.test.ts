import { KeySet, verifyCheckpointJws, verifyCheckpointNote } from '@trec/merkle'
import { decodeProtectedHeader } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { checkpointKeyPair, notary, openLog, origin, seedHistory } from './support.ts'

// When checkpoints are signed (every N leaves, or after T seconds when fewer came) and by which
// keys (every key whose window holds the checkpoint's timestamp; the JWS by the newest).

describe('checkpoints', () => {
  it('are signed after T seconds when fewer than N leaves came', async () => {
    const log = await openLog()
    await seedHistory(log.store, 1)
    const n = await notary(log, { checkpointEvery: { leaves: 1_000_000, seconds: 0.2 } })
    await n.sync()
    const size = n.status().size
    await vi.waitFor(() => expect(n.status().lastCheckpoint?.size).toBe(size), {
      timeout: 5_000,
      interval: 20,
    })
    await n.stop()
  })

  it('are signed by both keys during a rotation, then by the new key only; retired keys still verify old ones', async () => {
    const log = await openLog()
    const old = checkpointKeyPair()
    const fresh = checkpointKeyPair()
    const t = (iso: string) => new Date(iso)
    let now = t('2025-06-01T00:00:00Z')
    const keys = [
      {
        privateKey: old.privateKey,
        notBefore: t('2024-01-01T00:00:00Z'),
        notAfter: t('2025-07-01T00:00:00Z'),
      },
      { privateKey: fresh.privateKey, notBefore: t('2025-05-01T00:00:00Z') },
    ]
    await seedHistory(log.store, 1)
    const n = await notary(log, { signing: { origin, keys }, clock: () => now })
    await n.sync()
    const during = (await n.checkpoint())!
    now = t('2025-08-01T00:00:00Z')
    await log.store.append('attendance-0123456789abcdef0123456789abcdef', [
      { id: crypto.randomUUID(), type: 'Probe', data: { k: 1 }, metadata: {} },
    ])
    await n.sync()
    const after = (await n.checkpoint())!
    await n.stop()

    const published = await KeySet.create(
      keys.map((k) => ({
        name: origin,
        publicKey: k.privateKey,
        notBefore: k.notBefore,
        ...(k.notAfter ? { notAfter: k.notAfter } : {}),
      })),
    )
    const signatureLines = (note: string) => note.split('\n').filter((l) => l.startsWith('\u2014 ')).length
    expect(signatureLines(during.note)).toBe(2)
    expect(signatureLines(after.note)).toBe(1)
    expect(decodeProtectedHeader(during.jws).kid).toBe(published.keys[1]!.kid)
    for (const c of [during, after]) {
      expect(verifyCheckpointNote(c.note, { origin, keys: published }).ok).toBe(true)
      expect((await verifyCheckpointJws(c.jws, { origin, keys: published })).ok).toBe(true)
    }
    // An auditor who pinned only the old key: the handover checkpoint verifies, the later one does not.
    const oldOnly = await KeySet.create([
      { name: origin, publicKey: old.publicKey, notBefore: keys[0]!.notBefore, notAfter: keys[0]!.notAfter },
    ])
    expect(verifyCheckpointNote(during.note, { origin, keys: oldOnly }).ok).toBe(true)
    expect(verifyCheckpointNote(after.note, { origin, keys: oldOnly })).toMatchObject({
      ok: false,
      reason: 'no-trusted-signature',
    })
  })
})
