import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import { localDay } from './time.ts'

// R6 (docs/fraud-rules.md; the Haidian case of bought identities): proxy attendance and face
// spoofing. A face template serves one person, so one template hash matched for more workers
// than `maxWorkersPerTemplate` means someone's face checks in for others. A terminal checks one
// person at a time, so more than `burst.workers` workers within `burst.seconds` on one device,
// or more than `maxWorkersPerDevicePerDay` in a day, means photos or a replay are being run
// through it. Raised as the checks arrive, while the class runs.

interface TemplateUse {
  workers: Record<string, string>
}

/** Recent checks of a device, `[at, worker, eventId]` by time, and the workers of its last days. */
interface DeviceUse {
  recent: [number, string, string][]
  days: Record<string, Record<string, string>>
}

const maxEvidenceKept = 200

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
    const burstMs = params.burst.seconds * 1000
    device.recent.push([at, d.worker, event.id])
    device.recent.sort((a, b) => a[0] - b[0] || a[2].localeCompare(b[2]))
    const latest = device.recent[device.recent.length - 1]![0]
    device.recent = device.recent.filter(([t]) => t >= latest - 2 * burstMs)
    // The windows of `burst.seconds` that hold this check: the one ending at it and the one starting at it.
    for (const [from, to] of [
      [at - burstMs, at],
      [at, at + burstMs],
    ] as const) {
      const inWindow = device.recent.filter(([t]) => t >= from && t <= to)
      const workers = new Set(inWindow.map(([, w]) => w))
      if (workers.size > params.burst.workers) {
        drafts.push({
          subject: { kind: 'device', id: d.device },
          occurrence: `burst:${localDay(at)}`,
          evidence: inWindow.map(([, , id]) => id),
          summary: `device ${d.device} passed ${workers.size} workers within ${params.burst.seconds} s, above ${params.burst.workers}`,
          measures: { workers: workers.size, seconds: params.burst.seconds },
        })
        break
      }
    }
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
    // Keep the two latest days: checks arrive in batches, rarely more than a day late.
    const days = Object.keys(device.days).sort()
    for (const old of days.slice(0, -2)) delete device.days[old]
    state.set(dKey, device)
    return drafts
  },
}
