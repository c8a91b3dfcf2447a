// The worker's own page and the officer's objections queue in a real Chromium
// (support/console-browser.ts), on the composed app with its read side running and a class of two
// workers, the second one's claim paid (support/casework.ts). Clicked through, with no console
// error or refused request and no serious or critical axe-core violation in either language:
// - worker: signs in with a real-name attestation pasted on the console's first screen (no staff
//   token), reads their archive as a timeline in yuan and China time, who read it (an
//   investigator's read among them, and their own), and objects to the training;
// - officer: finds the objection in the queue of the region and answers it, accepted, with a reason;
// - worker again (a new attestation): reads the answer beside the objection.
// Skipped, with the reason, where there is no Chromium.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaseworkRecord, caseworkRecord } from './support/casework.ts'
import { caughtUp } from './support/caught-up.ts'
import { type ConsoleBrowser, consoleSkipReason, openConsoleBrowser } from './support/console-browser.ts'
import { accepted, approveAndPay, card, people } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const skip = consoleSkipReason()
const suite = skip ? describe.skip : describe
const title = skip
  ? `the worker's page and the objections queue in a browser (skipped: ${skip})`
  : "the worker's page and the objections queue in a browser"

const answer = '经核查，首次课签到系机构代签，已转稽核处理'

suite(title, () => {
  let sys: System
  let rec: CaseworkRecord
  let base: string
  let browser: ConsoleBrowser

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    rec = await caseworkRecord(sys, [card(211), card(212)])
    const paid = rec.claims[1]
    await approveAndPay(sys.http, paid!, 'FIN-2021-06-15-0212')
    // An investigator reads the claim: a reader the worker will see.
    accepted(await sys.http.get(`/v1/claims/${paid}`, people.investigator), 200)
    await caughtUp(sys)
    base = await sys.app.listen({ host: '127.0.0.1', port: 0 })
    browser = await openConsoleBrowser()
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await sys?.close()
  })

  const at = (test: string) => browser.page.locator(`[data-test=${test}]`)
  const worker = () => rec.workers[1]

  async function bothLanguages(heading: string) {
    const { page } = browser
    expect(await browser.seriousViolations()).toEqual([])
    await page.getByText('English', { exact: true }).click()
    await page.getByText(heading).first().waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    expect(await browser.seriousViolations()).toEqual([])
    await page.getByText('中文', { exact: true }).click()
    expect(browser.errors).toEqual([])
  }

  /** Opens the console without a token and signs in with a fresh attestation of the worker. */
  async function signInAsWorker() {
    const { page } = browser
    await page.goto(`${base}/console/`)
    await page.evaluate(() => {
      sessionStorage.clear()
      localStorage.setItem('trec.lang', 'zh')
    })
    await page.reload()
    const attestation = await sys.identity.attest({
      subject: worker(),
      method: 'e_card',
      checkedAt: sys.clock.now,
    })
    await page
      .locator('textarea[data-test=attestation], [data-test=attestation] textarea')
      .first()
      .fill(attestation)
    await page.locator('[data-test=worker-sign-in]').click()
    await page.getByText('角色：worker').waitFor()
  }

  it('signs the worker in with an attestation, shows their archive and who read it, and files an objection', async () => {
    const { page } = browser
    await signInAsWorker()
    await at('archive-state').getByText('已读取，本次查阅已记录').waitFor()
    const timeline = at('archive-timeline')
    await timeline.getByText('电工（6-31-01-03）').first().waitFor()
    expect(await timeline.getByText('¥2,200.00').count()).toBeGreaterThan(0)
    expect(await at('totals').getByText('¥2,200.00').count()).toBe(1)
    expect(await timeline.getByText('(UTC+8)').count()).toBeGreaterThan(0)

    await page.locator('[data-test=read-log]').click()
    const log = at('access-log')
    await log.getByText('稽核人员').first().waitFor()
    expect(await log.getByText('劳动者本人').count()).toBeGreaterThan(0)
    expect(await log.getByText('本人查阅').count()).toBeGreaterThan(0)

    await at('entries').getByText(rec.cls.id, { exact: false }).first().click()
    await page
      .locator('textarea[data-test=objection-reason], [data-test=objection-reason] textarea')
      .first()
      .fill('第一次课我没有到场，签到不是我本人')
    await page.locator('[data-test=file-objection]').click()
    await at('objection-state').getByText('异议已提交').waitFor()
    await expect
      .poll(
        async () => {
          await page.locator('[data-test=reload-objections]').click()
          return at('my-objections').getByText('待答复').count()
        },
        { timeout: 30_000 },
      )
      .toBe(1)
    if (process.env.TREC_CONSOLE_SCREENSHOTS)
      await page.screenshot({
        path: `${process.env.TREC_CONSOLE_SCREENSHOTS}/console-worker.png`,
        fullPage: true,
      })
    await bothLanguages('My lifelong training archive')
  }, 120_000)

  it('lets the officer answer the objection from the queue, and the worker read the answer', async () => {
    const { page } = browser
    await browser.signIn(base, await sys.tokens.mint(people.officer, 3000), 'subsidy_officer')
    const queue = at('objections')
    const row = queue.locator('tr', { hasText: worker() })
    await expect
      .poll(
        async () => {
          await page.locator('[data-test=reload-queue]').click()
          return row.count()
        },
        { timeout: 30_000 },
      )
      .toBe(1)
    expect(await row.getByText(rec.cls.id, { exact: false }).count()).toBe(1)
    await row.locator('input[data-test=answer-reason], [data-test=answer-reason] input').first().fill(answer)
    await row.locator('[data-test=accept]').click()
    await at('answer-state').getByText('已采纳').waitFor()
    await bothLanguages('Objections')

    await signInAsWorker()
    const mine = at('my-objections')
    await expect
      .poll(
        async () => {
          await page.locator('[data-test=reload-objections]').click()
          return mine.getByText(answer, { exact: false }).count()
        },
        { timeout: 30_000 },
      )
      .toBe(1)
    expect(await mine.getByText('已采纳').count()).toBe(1)
    await bothLanguages('My objections and the answers')
  }, 120_000)
})
