import { createCheckpointSigner, type parseCheckpoint } from '@trec/merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import { exportMutations } from './mutations.ts'
import { checkpointKeyPair, exportedHistory, origin, type pinned, verifyText } from './support.ts'

// The tamper suite: 1,200 random single mutations of a genuine export (./mutations.ts), each of
// which the offline verifier must reject, naming the right reason (and, where the mutation sits
// on one line, that line). One mutation in 25 is also verified on worker threads in small
// runs, which must name the same first failure.

/** Runs of about two lines, spread over two worker threads. */
const threaded = { threads: 2, runBytes: 2048 }

/**
 * What must not depend on how the lines were split: the report but for the count of node hashes
 * (each thread proves its own paths), or the failure's line, reason and event (an inclusion
 * failure's wording tells which check caught it, which depends on the paths proven before).
 */
function outcome(result: Awaited<ReturnType<typeof verifyText>>) {
  if (result.ok) return { ...result.report, nodeHashes: undefined }
  const { line, reason, eventId } = result.failure
  return { line, reason, eventId }
}

describe('the tamper suite', () => {
  const key = checkpointKeyPair()
  let base: string
  let keys: Awaited<ReturnType<typeof pinned>>
  let earlier: ReturnType<typeof parseCheckpoint>
  let foreign: Awaited<ReturnType<typeof createCheckpointSigner>>

  beforeAll(async () => {
    ;({ base, keys, earlier } = await exportedHistory(key))
    foreign = await createCheckpointSigner({ name: origin, privateKey: checkpointKeyPair().privateKey })
  })

  it('accepts the genuine export (with the earlier checkpoint seen)', async () => {
    const result = await verifyText(base, keys, { seen: [earlier] })
    expect(result.ok ? result.report.events : result.failure).toBeGreaterThan(20)
    // Checked in many small runs by worker threads, merged in order: the same report.
    expect(outcome(await verifyText(base, keys, { seen: [earlier], ...threaded }))).toEqual(outcome(result))
  })

  it('rejects each of 1,200 random single mutations, naming what is wrong', async () => {
    const { kinds, make } = exportMutations(base, 20_261_122, foreign)
    const counts = new Map<string, number>()

    let total = 0
    while (total < 1200) {
      const kind = kinds[total % kinds.length]!
      const mutation = await make(kind)
      if (!mutation) continue
      const text = typeof mutation.text === 'string' ? Buffer.from(mutation.text) : (mutation.text as Buffer)
      if (text.equals(Buffer.from(base))) continue
      const result = await verifyText(text, keys, { seen: [earlier] })
      const failure = result.ok ? undefined : result.failure
      expect(failure, `${kind} (#${total}) was not detected`).toBeDefined()
      expect(mutation.reasons, `${kind} (#${total}): ${JSON.stringify(failure)}`).toContain(failure!.reason)
      if (mutation.line !== undefined) expect(failure!.line, `${kind} (#${total})`).toBe(mutation.line)
      // One in 25 also in small runs on worker threads: the same first failure, named alike.
      if (total % 25 === 0)
        expect(
          outcome(await verifyText(text, keys, { seen: [earlier], ...threaded })),
          `${kind} (#${total})`,
        ).toEqual(outcome(result))
      counts.set(kind, (counts.get(kind) ?? 0) + 1)
      total += 1
    }
    expect(total).toBeGreaterThanOrEqual(1000)
    for (const kind of kinds) expect(counts.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(40)
  }, 120_000)
})
