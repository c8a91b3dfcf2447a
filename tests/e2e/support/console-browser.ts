import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

// The console's browser tests share this: Debian's Chromium driven by playwright-core through its
// executable path (headless, a fresh profile), every console error, page error and refused
// request collected, axe-core's serious and critical violations, and the token pasted in.

export const executable = process.env.TREC_CHROMIUM ?? '/usr/bin/chromium'

/** Why a console browser suite cannot run here, or undefined when it can. */
export function consoleSkipReason(): string | undefined {
  return existsSync(executable)
    ? undefined
    : `no Chromium at ${executable} (apt-get install chromium, or set TREC_CHROMIUM)`
}

export interface ConsoleBrowser {
  page: Page
  /** Console errors, page errors and responses of 400 or more, as they happened. */
  errors: string[]
  /** The path of every script the page fetched, in order. */
  scripts: string[]
  /** A file path inside the browser's own temporary profile. */
  profileFile(name: string): string
  /** axe-core's serious and critical violations on the page as it stands. */
  seriousViolations(): Promise<string[]>
  /** Opens the console, pastes the token and waits for the role's tag. */
  signIn(base: string, token: string, role: string): Promise<void>
  close(): Promise<void>
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'trec-chromium-'))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
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
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`))
  const scripts: string[] = []
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname))
  return {
    page,
    errors,
    scripts,
    profileFile: (name) => join(profile, name),
    async seriousViolations() {
      if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(await axeSource)
      const result = await page.evaluate(() =>
        (
          globalThis as unknown as {
            axe: {
              run: () => Promise<{
                violations: { id: string; impact: string; nodes: { target: unknown }[] }[]
              }>
            }
          }
        ).axe.run(),
      )
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target).slice(0, 3))}`)
    },
    async signIn(base, token, role) {
      await page.goto(`${base}/console/`)
      await page.evaluate(() => localStorage.setItem('trec.lang', 'zh'))
      await page.reload()
      await page.locator('input[data-test=token], [data-test=token] input').first().fill(token)
      await page.locator('[data-test=save-token]').click()
      await page.getByText(`角色：${role}`).waitFor()
    },
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/** Fills an Element Plus input (the attribute lands on its wrapper or on the input itself). */
export const fill = (page: Page, test: string, value: string) =>
  page.locator(`input[data-test=${test}], [data-test=${test}] input`).first().fill(value)
