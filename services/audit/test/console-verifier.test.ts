import { cryptoProfile } from '@trec/core'
import { createCheckpointSigner } from '@trec/merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  pinKey,
  VerifyError,
  verifyCheckpoint,
  verifyConsistencyAnswer,
  verifyExportText,
  verifyInclusionAnswer,
} from '../../app/console/verify.js'
import { exportMutations } from './mutations.ts'
import { checkpointKeyPair, exportedHistory, origin, pinned, signing, verifyText } from './support.ts'

// The console's in-browser verifier (services/app/console/verify.js: WebCrypto, and
// sm-crypto-v2 for the gm profile) against trec-verify (the Node
// verifier of services/audit) on the same data: a genuine export, checkpoint, inclusion and
// consistency proof pass both; of 600 single mutations of the export (the tamper suite's), every
// one the console's checks cover fails in both, with a reason trec-verify also accepts for it;
// the rest (selection, leaf digest, consistency with checkpoints seen before, evidence order) are
// trec-verify's alone, as the console's page says.

const browserReasons = new Set([
  'header-malformed',
  'checkpoint-malformed',
  'checkpoint-unsupported-header',
  'checkpoint-no-trusted-signature',
  'checkpoint-bad-signature',
  'checkpoint-wrong-origin',
  'checkpoint-mismatch',
  'line-malformed',
  'leaf-order',
  'leaf-out-of-range',
  'inclusion-failed',
  'event-count',
  'truncated',
])

async function browserOutcome(text: string, trust: Parameters<typeof verifyExportText>[1]) {
  try {
    return { ok: true as const, report: await verifyExportText(text, trust) }
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error
    return { ok: false as const, reason: error.reason, line: error.line }
  }
}

// Under the gm profile (TREC_CRYPTO_PROFILE=gm) both check SM3 trees and SM2 signatures.
describe(`the console verifier, beside trec-verify (${cryptoProfile().name} crypto profile)`, () => {
  const key = checkpointKeyPair()
  let ctx: Awaited<ReturnType<typeof setup>>

  async function setup() {
    const history = await exportedHistory(key)
    const verifierKey = history.keys.toNoteVerifierKeys()[0]!
    return { ...history, trust: { origin, key: await pinKey(verifierKey) } }
  }

  beforeAll(async () => {
    ctx = await setup()
  })

  it('accepts the genuine export, checkpoints and proofs, as trec-verify does', async () => {
    const node = await verifyText(ctx.base, ctx.keys, { seen: [ctx.earlier] })
    const browser = await browserOutcome(ctx.base, ctx.trust)
    expect(node.ok && browser.ok).toBe(true)
    expect(browser.ok && browser.report.events).toBe(node.ok && node.report.events)
    const older = await verifyCheckpoint(ctx.first.note, ctx.trust)
    const newer = await verifyCheckpoint(ctx.second.note, ctx.trust)
    const consistency = JSON.parse(
      await ctx.get(`/v1/audit/proofs/consistency?from=${older.size}&to=${newer.size}`),
    )
    expect(await verifyConsistencyAnswer(consistency, older, newer)).toEqual({
      from: older.size,
      to: newer.size,
    })
    const line = ctx.base.split('\n')[5]!
    const eventId = JSON.parse(line).event.id
    const inclusion = JSON.parse(await ctx.get(`/v1/audit/proofs/inclusion?eventId=${eventId}`))
    const leaf = new TextEncoder().encode(line.slice('{"event":'.length, line.lastIndexOf(',"index":')))
    expect((await verifyInclusionAnswer(inclusion, ctx.trust, leaf)).leafIndex).toBe(JSON.parse(line).index)
  })

  it('rejects a tampered proof or checkpoint with the reason', async () => {
    const older = await verifyCheckpoint(ctx.first.note, ctx.trust)
    const newer = await verifyCheckpoint(ctx.second.note, ctx.trust)
    const consistency = JSON.parse(
      await ctx.get(`/v1/audit/proofs/consistency?from=${older.size}&to=${newer.size}`),
    )
    const flipped = consistency.proof.map((h: string, i: number) =>
      i === 0 ? `${h[0] === 'A' ? 'B' : 'A'}${h.slice(1)}` : h,
    )
    await expect(
      verifyConsistencyAnswer({ ...consistency, proof: flipped }, older, newer),
    ).rejects.toMatchObject({
      reason: 'consistency-failed',
    })
    const altered = ctx.second.note.replace(`\n${ctx.second.size}\n`, `\n${ctx.second.size + 1}\n`)
    await expect(verifyCheckpoint(altered, ctx.trust)).rejects.toMatchObject({
      reason: 'checkpoint-bad-signature',
    })
    const stranger = {
      origin,
      key: await pinKey((await pinned(signing(checkpointKeyPair()))).toNoteVerifierKeys()[0]!),
    }
    await expect(verifyCheckpoint(ctx.second.note, stranger)).rejects.toMatchObject({
      reason: 'checkpoint-no-trusted-signature',
    })
  })

  it('fails every mutation its checks cover, naming a reason trec-verify accepts for it', async () => {
    const foreign = await createCheckpointSigner({
      name: origin,
      privateKey: checkpointKeyPair().privateKey,
    })
    const { kinds, make } = exportMutations(ctx.base, 20_261_206, foreign)
    let total = 0
    let caught = 0
    while (total < 600) {
      const kind = kinds[total % kinds.length]!
      const mutation = await make(kind)
      if (!mutation) continue
      const text = Buffer.from(mutation.text as string | Buffer).toString('utf8')
      if (text === ctx.base) continue
      total += 1
      const node = await verifyText(Buffer.from(mutation.text as string | Buffer), ctx.keys, {
        seen: [ctx.earlier],
      })
      expect(node.ok, kind).toBe(false)
      const nodeReason = node.ok ? '' : node.failure.reason
      const browser = await browserOutcome(text, ctx.trust)
      if (browser.ok) {
        expect(
          browserReasons.has(nodeReason),
          `${kind}: trec-verify says ${nodeReason}, the console passed it`,
        ).toBe(false)
        continue
      }
      caught += 1
      expect(mutation.reasons, `${kind}: the console says ${browser.reason}`).toContain(browser.reason)
    }
    expect(caught / total).toBeGreaterThan(0.6)
  }, 120_000)
})
