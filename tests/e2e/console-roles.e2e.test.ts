// The web console's role pages in a real Chromium (support/console-browser.ts), on the composed
// app with its read side running and a record the people work on (support/casework.ts: two
// workers of one class, one face on both cards, so R6 raises an alert; the second worker's claim
// paid). Each role's main journey is clicked through, with no console error or refused request
// and no serious or critical axe-core violation in either language:
// - investigator: alert queue → the claims it points to → the claim's trace as a graph → a case
//   opened on it, its alerts confirmed into it, with evidence, findings, a sanction and a
//   clawback request in yuan → read again under the case → closed, and found in the cases list;
// - card service: a lookup by card number for the holder as of a time before the record, then
//   now, as a timeline; and the access log of who read it (an investigator's trace among them);
// - institution staff: their claims with what each still lacks, their class's enrolments;
// - subsidy officer: the rules in force, amended and published as a new set; the payments;
//   person-times against a target set on the page; KPIs per institution by name.
// Skipped, with the reason, where there is no Chromium.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaseworkRecord, caseworkRecord } from './support/casework.ts'
import { caughtUp } from './support/caught-up.ts'
import type { Who } from './support/client.ts'
import {
  type ConsoleBrowser,
  consoleSkipReason,
  fill,
  openConsoleBrowser,
} from './support/console-browser.ts'
import { accepted, approveAndPay, card, people } from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const skip = consoleSkipReason()
const suite = skip ? describe.skip : describe
const title = skip
  ? `the console's role pages in a browser (skipped: ${skip})`
  : "the console's role pages in a browser"

const investigator = { sub: 'inv-1', role: 'investigator', region: '1301' } as const

suite(title, () => {
  let sys: System
  let rec: CaseworkRecord
  let base: string
  let browser: ConsoleBrowser

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    rec = await caseworkRecord(sys, [card(201), card(202)])
    const paid = rec.claims[1]
    await approveAndPay(sys.http, paid!, 'FIN-2021-06-15-0202')
    await caughtUp(sys)
    base = await sys.app.listen({ host: '127.0.0.1', port: 0 })
    browser = await openConsoleBrowser()
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await sys?.close()
  })

  const mint = (who: Who) => sys.tokens.mint(who, 3000)
  const at = (test: string) => browser.page.locator(`[data-test=${test}]`)

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

  it('walks the investigator from the alert queue through the trace to a case with a clawback', async () => {
    const { page } = browser
    await browser.signIn(base, await mint(investigator), 'investigator')

    const alerts = at('alerts')
    await alerts.getByText('R6').first().waitFor()
    await alerts.locator('tr', { hasText: 'R6' }).first().locator('[data-test=pick-alert]').click()
    const claims = at('claims')
    await claims.getByText(rec.claims[1]).waitFor()
    await expect.poll(() => claims.getByText('电工（6-31-01-03）').count()).toBeGreaterThan(0)
    await expect.poll(() => claims.getByText('¥2,200.00').count()).toBeGreaterThan(0)
    await claims.locator('tr', { hasText: rec.claims[1] }).locator('[data-test=trace-claim]').click()

    const trace = at('trace')
    // Each node is named once in the text alternative, and again in every link that reaches it.
    await trace.getByText(`申请 ${rec.claims[1]}`).first().waitFor()
    await trace.getByText('共用人脸模板').first().waitFor()
    await trace.getByText('支付 ¥2,200.00 · 凭证 FIN-2021-06-15-0202').first().waitFor()
    expect(await trace.getByText('支付前已入日志').count()).toBeGreaterThan(0)
    expect(await trace.getByText('电工（6-31-01-03）').count()).toBeGreaterThan(0)
    expect(await trace.getByText('(UTC+8)').count()).toBeGreaterThan(0)
    await at('trace-state').getByText('no_case_ref').waitFor()
    // The trace is drawn as a graph: its nodes rendered on the canvas, as many as its text alternative lists.
    const graph = at('trace-graph')
    await expect.poll(() => graph.getAttribute('data-rendered')).toBe(await graph.getAttribute('data-nodes'))
    expect(Number(await graph.getAttribute('data-nodes'))).toBeGreaterThanOrEqual(8)
    expect(Number(await graph.getAttribute('data-edges'))).toBeGreaterThanOrEqual(8)
    expect(await graph.locator('canvas').count()).toBeGreaterThan(0)
    expect(await at('trace-list').locator('button').count()).toBe(
      Number(await graph.getAttribute('data-nodes')),
    )
    // Keyboard: a node of the text alternative takes the focus.
    await at('trace-list').locator('button').first().focus()
    expect(await page.evaluate('document.activeElement && document.activeElement.className')).toBe(
      'trace-node',
    )

    await page.locator('[data-test=open-case]').click()
    await at('case-state').getByText('已立案').waitFor()
    await fill(page, 'confirm-note', '同一人脸模板两名学员，确认归入本案')
    await page.locator('[data-test=confirm-alerts]').click()
    await at('case-state').getByText('已将 2 条预警确认归入本案').waitFor()
    await page.locator('[data-test=link-evidence]').click()
    await at('case-state').getByText('证据已登记').waitFor()
    await fill(page, 'findings-text', '同一人脸模板在两名学员名下签到，培训不实')
    await page.locator('[data-test=record-findings]').click()
    await at('case-state').getByText('调查结论已登记').waitFor()
    await fill(page, 'sanction-note', '责令培训机构说明情况')
    await page.locator('[data-test=decide-sanction]').click()
    await at('case-state').getByText('处理决定已登记').waitFor()
    await page.locator('[data-test=request-clawback]').click()
    await at('case-state').getByText('追回请求已提出').waitFor()
    const file = at('case-file')
    await file.getByText(`${rec.claims[1]}: ¥2,200.00`).waitFor()
    const timeline = at('case-timeline')
    for (const step of ['立案', '登记证据', '登记调查结论', '作出处理决定', '提出追回请求'])
      expect(await timeline.getByText(step, { exact: false }).count()).toBeGreaterThan(0)

    // Read again under the case: the read is no longer break-glass.
    await page.locator('[data-test=read-trace]').click()
    await at('trace-state').getByText('已依据案件').waitFor()

    const caseId = /case-[\w-]+/.exec((await at('trace-state').textContent()) ?? '')?.[0]
    expect(caseId).toBeDefined()
    await at('case-file').getByText(caseId!).waitFor()

    await page.locator('[data-test=close-case]').click()
    await at('case-state').getByText('已结案').waitFor()
    // The cases list (a read model) shows it closed once its projection has caught up.
    const cases = at('cases')
    await at('card-cases').getByText('已结案', { exact: true }).click()
    await expect
      .poll(
        async () => {
          await page.locator('[data-test=reload-cases]').click()
          return cases.getByText(caseId!).count()
        },
        { timeout: 30_000 },
      )
      .toBe(1)
    if (process.env.TREC_CONSOLE_SCREENSHOTS)
      await page.screenshot({
        path: `${process.env.TREC_CONSOLE_SCREENSHOTS}/console-investigator.png`,
        fullPage: true,
      })
    await bothLanguages('Alert queue')
  }, 180_000)

  it("shows the card service a worker's archive as a timeline, as of a past time, and who read it", async () => {
    const { page } = browser
    // An investigator's read without a case, so the log has another reader whichever test ran first.
    accepted(await sys.http.get(`/v1/oversight/claims/${rec.claims[1]}/trace`, investigator), 200)
    await browser.signIn(base, await mint(people.cardService), 'card_service')

    await fill(page, 'card-number', rec.cards[1])
    // As the record stood before the worker enrolled: nothing yet.
    await fill(page, 'as-of', '2021-02-01 12:00')
    await page.locator('[data-test=lookup]').click()
    await at('lookup-state').getByText('档案中没有').waitFor()
    expect(await at('archive-timeline').locator('.el-timeline-item').count()).toBe(0)

    // Now: enrolled, trained, completed and paid.
    await fill(page, 'as-of', '')
    await page.locator('[data-test=lookup]').click()
    await at('lookup-state').getByText('已查询，本次查阅已记录').waitFor()
    const timeline = at('archive-timeline')
    await timeline.getByText('电工（6-31-01-03）').first().waitFor()
    expect(await timeline.getByText('¥2,200.00').count()).toBeGreaterThan(0)
    expect(await at('totals').getByText('¥2,200.00').count()).toBe(1)

    await page.locator('[data-test=read-log]').click()
    const log = at('access-log')
    await log.getByText('稽核人员').first().waitFor()
    expect(await log.getByText('欺诈案件').count()).toBeGreaterThan(0)
    expect(await log.getByText('社保卡服务').count()).toBeGreaterThan(0)
    expect(await log.getByText('no_case_ref').count()).toBeGreaterThan(0)
    if (process.env.TREC_CONSOLE_SCREENSHOTS)
      await page.screenshot({
        path: `${process.env.TREC_CONSOLE_SCREENSHOTS}/console-card-service.png`,
        fullPage: true,
      })
    await bothLanguages('Archive lookup')
  }, 120_000)
  it("shows institution staff their claims with what each still lacks, and their class's enrolments", async () => {
    const { page } = browser
    await browser.signIn(base, await mint(people.staff(rec.institution)), 'institution_staff')

    const claims = at('claims')
    const open = claims.locator('tr', { hasText: rec.claims[0] })
    await open.getByText('条件齐备，可支付').waitFor()
    expect(await open.getByText('电工（6-31-01-03）').count()).toBe(1)
    expect(await open.getByText('¥2,200.00').count()).toBeGreaterThan(0)
    await claims.locator('tr', { hasText: rec.claims[1] }).getByText('已支付').first().waitFor()

    // Their classes, from the list of classes, each with how many are enrolled.
    const row = at('classes').locator('tr', { hasText: rec.cls.id })
    await row.getByText('已开班').waitFor()
    await row.locator('[data-test=pick-class]').click()
    const roster = at('roster')
    for (const worker of rec.workers) await roster.getByText(worker).waitFor()
    expect(await at('class').getByText('(UTC+8)').count()).toBeGreaterThan(0)
    if (process.env.TREC_CONSOLE_SCREENSHOTS)
      await page.screenshot({
        path: `${process.env.TREC_CONSOLE_SCREENSHOTS}/console-institution.png`,
        fullPage: true,
      })
    await bothLanguages("The institution's claims")
  }, 120_000)

  it('shows the officer the rules in force, amends them and publishes a new set, the payments, person-times against a target set, and KPIs per institution', async () => {
    const { page } = browser
    await browser.signIn(base, await mint(people.officer), 'subsidy_officer')

    await fill(page, 'rules-date', '2021-06-15')
    await page.locator('[data-test=read-rules]').click()
    const rules = at('rule-set')
    await rules.getByText('sjz-2019 v1').waitFor()
    expect(await at('rule-kinds').getByText('职业培训补贴').count()).toBeGreaterThan(0)
    const draft = page.locator('[data-test=rule-draft] textarea, textarea[data-test=rule-draft]').first()
    const amended = JSON.parse(await draft.inputValue())
    amended.validFrom = '2021-07-01'
    await draft.fill(JSON.stringify(amended, null, 2))
    await fill(page, 'amend-reason', '市人社局关于调整补贴标准的通知')
    await page.locator('[data-test=amend]').click()
    await at('amend-state').getByText(`已发布 ${amended.id} 第 2 版`).waitFor()
    // The same rules as a new set of the county, for a later year.
    await draft.fill(
      JSON.stringify({
        ...amended,
        id: 'changan-2027',
        region: '130102',
        validFrom: '2027-01-01',
        validTo: '2027-12-31',
      }),
    )
    await page.locator('[data-test=publish-new]').click()
    await at('amend-state').getByText('已发布 changan-2027 第 1 版').waitFor()

    await at('payments').getByText(rec.claims[1]).waitFor()
    expect(await at('payments').getByText('¥2,200.00').count()).toBe(1)
    await at('payments-summary').waitFor()

    await fill(page, 'plan-year', '2021')
    await page.locator('[data-test=read-plan]').click()
    await at('plan').getByText('1 人次（无目标）').first().waitFor()
    await fill(page, 'target-source', '石家庄市2021年补贴性职业技能培训计划')
    await page.locator('[data-test=set-target]').click()
    await at('plan-state').getByText('目标已设定').waitFor()
    await at('plan').getByText('1 / 1000 人次').first().waitFor()

    await page.locator('[data-test=read-kpis]').click()
    const kpis = at('kpis')
    await kpis.getByText(`（${rec.institution}）`, { exact: false }).waitFor()
    expect(await kpis.getByText('100.0%').count()).toBeGreaterThan(0)
    if (process.env.TREC_CONSOLE_SCREENSHOTS)
      await page.screenshot({
        path: `${process.env.TREC_CONSOLE_SCREENSHOTS}/console-officer.png`,
        fullPage: true,
      })
    await bothLanguages('Subsidy rules')
  }, 120_000)
})
