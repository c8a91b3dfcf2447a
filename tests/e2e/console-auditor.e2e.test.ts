// The web console in a real Chromium (Debian's `chromium`, driven by playwright-core through its
// executable path): the auditor's journey clicked through on the composed app — token, pinned
// key, checkpoint history verified in the browser, consistency with the newest checkpoint, a
// worker's export verified line by line and downloaded, the downloaded export tampered with and
// refused with its reason, the English switch — with no console error and no serious or critical
// axe-core violation on either language. Skipped, with the reason, where there is no Chromium.
// With TREC_CONSOLE_SCREENSHOT=<file.png> it also saves the page as the README shows it.

import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, serviceNames } from '@trec/app'
import { cryptoProfile } from '@trec/core'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import type { Platform } from '@trec/fastify-kit'
import { testTokens } from '@trec/fastify-kit/testing'
import { createCheckpointSigner } from '@trec/merkle'
import { appendRecord, generateRecord } from '@trec/readmodels/testing'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const executable = process.env.TREC_CHROMIUM ?? '/usr/bin/chromium'
// Under the gm profile (TREC_CRYPTO_PROFILE=gm) the same journey checks SM3 trees and SM2
// signatures, with the sm-crypto-v2 the console serves.
const skip = existsSync(executable)
  ? undefined
  : `no Chromium at ${executable} (apt-get install chromium, or set TREC_CHROMIUM)`
const suite = skip ? describe.skip : describe
const title = skip ? `the console in a browser (skipped: ${skip})` : 'the console in a browser: the auditor'

const origin = 'trec.console-test/audit-log'
const deadline = async (what: () => string, check: () => Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

suite(title, () => {
  let app: Platform
  let base: string
  let token: string
  let verifierKey: string
  let worker: string
  let context: BrowserContext
  let page: Page
  let profile: string
  const errors: string[] = []
  const scripts: string[] = []

  beforeAll(async () => {
    const db = new PGlite()
    const store = await openPGliteEventStore({ db })
    const record = generateRecord({ workers: 3, seed: 11, faultRate: 0 })
    await appendRecord(store, record)
    worker = record.workers[0]!
    const tokens = await testTokens()
    const privateKey = cryptoProfile().signature.generateKeyPair().privateKey
    verifierKey = (await createCheckpointSigner({ name: origin, privateKey })).verifierKey
    app = await buildApp({
      runtime: { store, sql: pgliteExecutor(db), client: db, close: () => store.close() },
      auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
      services: serviceNames,
      pseudonymSecret: randomBytes(32).toString('hex'),
      masterKey: { kid: 'console-test', key: randomBytes(32) },
      logLevel: 'silent',
      audit: {
        signing: { origin, keys: [{ privateKey, notBefore: new Date(0) }] },
        checkpointEvery: { leaves: 40, seconds: 1 },
      },
    })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
    token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' }, 3000)
    // Caught up (the notary trails the store by nothing) and the whole tree signed.
    let seen = ''
    await deadline(
      () => `the notary to sign the whole store (last readiness: ${seen})`,
      async () => {
        seen = await (await fetch(`${base}/health/ready`)).text()
        const notary = JSON.parse(seen).checks?.['audit-notary']
        if (notary?.behindMs !== 0 || !(notary.treeSize > 0)) return false
        const latest = await fetch(`${base}/v1/audit/checkpoints?limit=1`, {
          headers: { authorization: `Bearer ${token}` },
        })
        return (
          latest.ok &&
          ((await latest.json()) as { items: { size: number }[] }).items[0]?.size === notary.treeSize
        )
      },
    )
    profile = await mkdtemp(join(tmpdir(), 'trec-chromium-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      acceptDownloads: true,
      locale: 'zh-CN',
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`))
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname))
  }, 180_000)

  afterAll(async () => {
    await context?.close()
    await app?.close()
    if (profile) await rm(profile, { recursive: true, force: true })
  })

  const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  async function seriousViolations() {
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(await axeSource)
    const result = await page.evaluate(() =>
      (
        globalThis as unknown as {
          axe: {
            run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>
          }
        }
      ).axe.run(),
    )
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target).slice(0, 3))}`)
  }
  const alert = (name: string) => page.locator(`[data-test=${name}]`)

  it('walks the auditor through history, consistency, export, download and a tampered file', async () => {
    await page.goto(`${base}/console/`)
    await expect.poll(() => page.title()).toContain('审计控制台')
    await page.locator('input[data-test=token], [data-test=token] input').first().fill(token)
    await page.locator('[data-test=save-token]').click()
    await page.getByText('角色：auditor').waitFor()

    await page.locator('input[data-test=pinned-key], [data-test=pinned-key] input').first().fill(verifierKey)
    await page.locator('[data-test=pin]').click()
    await alert('key-state').getByText('已固定公钥').waitFor()
    const table = page.locator('[data-test=checkpoints]')
    await table.getByText('验证通过').first().waitFor()
    expect(await table.getByText('验证通过').count()).toBeGreaterThanOrEqual(2)
    await expect.poll(() => table.getByText('(UTC+8)').count()).toBeGreaterThan(0)

    await page.locator('[data-test=consistency]').last().click()
    await alert('consistency-state').getByText('日志未被改写').waitFor()

    await page.locator('input[data-test=subject], [data-test=subject] input').first().fill(worker)
    await page.locator('[data-test=export]').click()
    await alert('export-state').getByText('验证通过').waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test=download]').click(),
    ])
    const saved = join(profile, 'export.ndjson')
    await download.saveAs(saved)
    const text = await readFile(saved, 'utf8')
    const lines = text.split('\n')
    expect(JSON.parse(lines[0]!).selection).toEqual({ kind: 'worker', worker })
    expect(lines.length).toBeGreaterThan(3)

    // One event altered after download: the browser must refuse it, naming the line and reason.
    const target = lines[2]!
    const altered = target.replace(/"occurredAt":"(\d)/, (_, d) => `"occurredAt":"${(Number(d) + 1) % 10}`)
    expect(altered).not.toBe(target)
    lines[2] = altered
    await page.locator('[data-test=file]').setInputFiles({
      name: 'tampered.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(lines.join('\n')),
    })
    const refused = alert('file-state')
    await refused.getByText('验证失败').waitFor()
    expect(await refused.getAttribute('data-reason')).toBe('inclusion-failed')
    expect(await refused.textContent()).toContain('第 3 行')
    expect(await refused.textContent()).toContain('该事件不在已签名的树中')

    if (process.env.TREC_CONSOLE_SCREENSHOT)
      await page.screenshot({ path: process.env.TREC_CONSOLE_SCREENSHOT, fullPage: true })
    expect(await seriousViolations()).toEqual([])

    await page.getByText('English', { exact: true }).click()
    await page.getByText('Checkpoint history').waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    expect(await seriousViolations()).toEqual([])
    expect(errors).toEqual([])
    // SM2 and SM3 come from the served sm-crypto-v2, fetched only for a gm log's key.
    expect(scripts.includes('/console/vendor/sm-crypto.js')).toBe(cryptoProfile().name === 'gm')
  }, 120_000)

  it('serves the console with a policy that allows its import map and no other inline script', async () => {
    const res = await fetch(`${base}/console/`)
    const policy = res.headers.get('content-security-policy') ?? ''
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
    expect(policy).not.toContain('unsafe-eval')
    expect((await fetch(`${base}/console/../package.json`)).status).toBe(404)
    expect((await fetch(`${base}/console/vendor/vue.js`)).headers.get('content-type')).toContain('javascript')
  })
})
