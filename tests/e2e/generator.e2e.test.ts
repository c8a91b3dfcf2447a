// The province generator against a running server, over HTTP only: it fills the embedded start
// (`npm start`'s configuration, on the wall clock, its read side running) with 200 workers and
// injected fraud while the server answers other callers; afterwards the card service finds every
// generated worker by card number under the pseudonym the enrolment answered, and every injected
// case has its alert. `npm run scale:generate` does the same with 10,000 workers.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Api,
  awaitInjectedAlerts,
  buildLivePlan,
  dataDirIssuer,
  defaultLiveOptions,
  type LiveManifest,
  livePatterns,
  lookUpEveryWorker,
  runLiveProvince,
} from '@trec/generator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedSystem, startedSystem } from './support/started.ts'

const wallClock = {
  get now() {
    return new Date()
  },
}

describe('the generator fills a running server through its API', () => {
  let dataDir: string
  let sys: StartedSystem

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trec-generator-'))
    sys = await startedSystem(dataDir, wallClock)
  })

  afterAll(async () => {
    await sys?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('200 workers with injected fraud, each found by card number, each case alerted', {
    timeout: 600_000,
  }, async () => {
    const plan = buildLivePlan({
      ...defaultLiveOptions,
      seed: 'e2e-generator',
      workers: 200,
      sessionMinutes: 0.5,
      leadSeconds: 10,
    })
    const api = new Api({ url: sys.url, issuer: await dataDirIssuer(dataDir), concurrency: 8 })

    // Another caller meanwhile: the investigator's alert queue, read every 200 ms.
    const answers: number[] = []
    let generating = true
    const reader = (async () => {
      const auditor = { sub: 'auditor-e2e', role: 'auditor' } as const
      while (generating) {
        answers.push((await api.send('GET', '/v1/oversight/alerts?limit=5', auditor)).status)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    })()
    let manifest: LiveManifest
    try {
      manifest = await runLiveProvince(api, plan, sys.url)
    } finally {
      generating = false
      await reader
    }

    expect(manifest.counts.workers).toBe(200)
    expect(new Set(manifest.workers).size).toBe(200)
    expect(manifest.counts.claims).toBeGreaterThan(100)
    expect(new Set(manifest.injected.map((c) => c.pattern))).toEqual(new Set(livePatterns))
    expect(answers.length).toBeGreaterThan(10)
    expect(answers.every((s) => s === 200)).toBe(true)

    const lookups = await lookUpEveryWorker(api, plan, manifest)
    expect(lookups).toEqual({ lookups: 200, found: 200, missing: [] })
    const alerts = await awaitInjectedAlerts(api, manifest, 120_000)
    expect(alerts.missing).toEqual([])
    expect(alerts.raised).toBe(manifest.injected.length)
  })
})
