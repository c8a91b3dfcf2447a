import { chinaDayStart } from '@trec/core'
import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import { firstWhere, fromFirst, insertSorted } from './sorted-list.ts'
import { localDay } from './time.ts'

// R6 (docs/fraud-rules.md; the Haidian case of bought identities): proxy attendance and face
// spoofing. A face template serves one person, so one template hash matched for more workers
// than `maxWorkersPerTemplate` means someone's face checks in for others. A terminal checks one
// person at a time, so more than `burst.workers` workers within `burst.seconds` on one device,
// or more than `maxWorkersPerDevicePerDay` in a day, means photos or a replay are being run
// through it. Raised as the checks arrive, while the class runs; the burst is judged by check
// time, not arrival, so a batch recorded worker by worker is flagged like checks sent one by one.

interface TemplateUse {
  workers: Record<string, string>
}

/** A passing check on a device: `[at, worker, eventId]`. */
type DeviceCheck = [number, string, string]

/** The checks of a device's last days by check time (not arrival), and the workers of those days. */
interface DeviceUse {
  recent: DeviceCheck[]
  days: Record<string, Record<string, string>>
}

const maxEvidenceKept = 200
/** Checks kept per device, the latest by check time: bounds the slot of a device run through photos all day. */
const maxChecksKept = 2000

const byCheckTime = (a: DeviceCheck, b: DeviceCheck) => a[0] - b[0] || a[2].localeCompare(b[2])

/**
 * The first window of `burstMs` (earliest start) holding the check at `at` in which more than
 * `limit` different workers passed, from `checks` sorted by check time. Every such window can be
 * slid to start at one of its checks, so the candidates are the windows starting at each check
 * between `at - burstMs` and `at`: a check arriving late, in the middle of a burst, completes it
 * just as the last one in time would.
 */
function findBurst(
  checks: readonly DeviceCheck[],
  at: number,
  burstMs: number,
  limit: number,
): { checks: DeviceCheck[]; workers: number } | undefined {
  for (let i = firstWhere(checks, ([t]) => t >= at - burstMs); i < checks.length; i++) {
    const from = checks[i]![0]
    if (from > at) break
    const inWindow: DeviceCheck[] = []
    for (let j = i; j < checks.length && checks[j]![0] <= from + burstMs; j++) inWindow.push(checks[j]!)
    const workers = new Set(inWindow.map(([, w]) => w)).size
    if (workers > limit) return { checks: inWindow, workers }
  }
  return undefined
}

export const r6SharedFaceOrDevice: FraudRule<'R6'> = {
  id: 'R6',
  title: 'One face template or one device serving many workers',
  reads: ['FaceCheckRecorded'],
  keys: (event) =>
    event.type === 'FaceCheckRecorded' ? [`t:${event.data.templateHash}`, `d:${event.data.device}`] : [],
  async step(event, state, params) {
    if (event.type !== 'FaceCheckRecorded' || event.data.result !== 'pass') return []
    const d = event.data
    const drafts: AlertDraft[] = []
    const at = Date.parse(d.checkedAt)

    const tKey = `t:${d.templateHash}`
    const template = (await state.get<TemplateUse>(tKey)) ?? { workers: {} }
    if (template.workers[d.worker] === undefined) {
      if (Object.keys(template.workers).length < maxEvidenceKept) template.workers[d.worker] = event.id
      state.set(tKey, template)
      const count = Object.keys(template.workers).length
      if (count > params.maxWorkersPerTemplate)
        drafts.push({
          subject: { kind: 'template', id: d.templateHash },
          occurrence: '',
          evidence: Object.values(template.workers),
          summary: `one face template matched for ${count} workers (${Object.keys(template.workers).join(', ')}), above ${params.maxWorkersPerTemplate}`,
          measures: { workers: count },
        })
    }

    const dKey = `d:${d.device}`
    const device = (await state.get<DeviceUse>(dKey)) ?? { recent: [], days: {} }
    insertSorted(device.recent, [at, d.worker, event.id], byCheckTime)
    const burst = findBurst(device.recent, at, params.burst.seconds * 1000, params.burst.workers)
    if (burst)
      drafts.push({
        subject: { kind: 'device', id: d.device },
        occurrence: `burst:${localDay(at)}`,
        evidence: burst.checks.map(([, , id]) => id),
        summary: `device ${d.device} passed ${burst.workers} workers within ${params.burst.seconds} s, above ${params.burst.workers}`,
        measures: { workers: burst.workers, seconds: params.burst.seconds },
      })
    const day = localDay(at)
    device.days[day] ??= {}
    const today = device.days[day]
    if (today[d.worker] === undefined) {
      today[d.worker] = event.id
      const count = Object.keys(today).length
      if (count > params.maxWorkersPerDevicePerDay)
        drafts.push({
          subject: { kind: 'device', id: d.device },
          occurrence: `day:${day}`,
          evidence: Object.values(today).slice(-maxEvidenceKept),
          summary: `device ${d.device} passed ${count} different workers on ${day}, above ${params.maxWorkersPerDevicePerDay}`,
          measures: { workers: count },
        })
    }
    // Keep the two latest days, of workers and of checks: checks arrive in batches, in any order
    // (a batch is recorded worker by worker), rarely more than a day late.
    const days = Object.keys(device.days).sort()
    for (const old of days.slice(0, -2)) delete device.days[old]
    const firstKept = days.slice(-2)[0]!
    const firstKeptFrom = chinaDayStart(firstKept)
    const kept = fromFirst(device.recent, ([t]) => t >= firstKeptFrom)
    device.recent = kept.length > maxChecksKept ? kept.slice(-maxChecksKept) : kept
    state.set(dKey, device)
    return drafts
  },
}
