import type { Api } from './api.ts'
import type { LivePlan } from './plan.ts'
import type { LiveManifest } from './run.ts'

// What a run must leave behind: every generated worker found by the card service under the
// pseudonym the enrolment answered, and every injected case raised as an alert by its rule about
// its subject. Alerts come from the read side on its own time, so they are polled until a deadline.

export interface Verification {
  lookups: number
  found: number
  /** Workers whose lookup failed or answered another pseudonym, by plan index. */
  missing: number[]
  alerts: { expected: number; raised: number; missing: InjectedSummary[] }
  seconds: number
}

type InjectedSummary = Pick<LiveManifest['injected'][number], 'rule' | 'pattern' | 'subject'>

const cardService = { sub: 'generator-card-service', role: 'card_service', region: '13' } as const
const investigator = { sub: 'generator-auditor', role: 'auditor' } as const

export async function lookUpEveryWorker(
  api: Api,
  plan: LivePlan,
  manifest: LiveManifest,
  onProgress?: (done: number, total: number) => void,
): Promise<Pick<Verification, 'lookups' | 'found' | 'missing'>> {
  const missing: number[] = []
  let done = 0
  await Promise.all(
    plan.workers.map(async (w) => {
      const res = await api.send('POST', '/v1/archive/lookup', cardService, {
        cardNumber: w.card,
        purpose: 'card_holder_request',
      })
      if (
        res.status !== 200 ||
        res.body.worker !== manifest.workers[w.index] ||
        res.body.archive?.found !== true
      )
        missing.push(w.index)
      onProgress?.(++done, plan.workers.length)
    }),
  )
  return { lookups: plan.workers.length, found: plan.workers.length - missing.length, missing }
}

/** Polls the alert list until every injected case has its alert or `timeoutMs` passes. */
export async function awaitInjectedAlerts(api: Api, manifest: LiveManifest, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  let missing: InjectedSummary[] = manifest.injected
  for (;;) {
    const still: InjectedSummary[] = []
    for (const c of missing) {
      const q = new URLSearchParams({ rule: c.rule, subjectKind: c.subject.kind, subjectId: c.subject.id })
      const res = await api.send('GET', `/v1/oversight/alerts?${q}`, investigator)
      if (res.status !== 200 || res.body.items.length === 0) still.push(c)
    }
    missing = still
    if (missing.length === 0 || Date.now() > deadline)
      return {
        expected: manifest.injected.length,
        raised: manifest.injected.length - missing.length,
        missing: missing.map(({ rule, pattern, subject }) => ({ rule, pattern, subject })),
      }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}
