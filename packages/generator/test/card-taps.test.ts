import { computeAttendance, defaultAttendancePolicy, type Envelope } from '@trec/contracts'
import { detectAll, fraudRules, loadRuleBook } from '@trec/oversight'
import { describe, expect, it } from 'vitest'
import { buildProvince } from '../src/province/province.ts'
import { attendanceOf, envelopesOf } from './envelopes.ts'

// 持卡参训 over a generated province (issue 25): a reader per class, registered like its terminal,
// and a 签到 and a 签退 tap for each worker present at an in-person session. Honest taps bracket
// their sessions (the reading would credit each from the taps alone); the injected share does
// not (a late 签到 or no 签退), and those sessions are credited by face checks only, so no
// completion changes and R7 stays quiet.

const book = loadRuleBook()

function province(cardTaps?: { broken: number }) {
  const { events, manifest } = buildProvince({
    seed: 'card-taps',
    institutions: 5,
    classesPerInstitution: [1, 2],
    classSize: [12, 18],
    sessionsPerClass: [6, 8],
    ...(cardTaps ? { cardTaps } : {}),
  })
  const envelopes = envelopesOf(events)
  return { envelopes, manifest }
}

/** The reading of a worker's hours in a class from the card taps alone, and with the face checks. */
function readings(envelopes: Envelope[], worker: string, cls: string) {
  const { sessions, facts } = attendanceOf(envelopes, worker, cls)
  const policy = defaultAttendancePolicy
  return {
    facts,
    tapsOnly: computeAttendance(sessions, [], [], policy, facts.taps),
    all: computeAttendance(sessions, facts.faceChecks, facts.segments, policy, facts.taps),
    faceOnly: computeAttendance(sessions, facts.faceChecks, facts.segments, policy),
  }
}

describe('card taps in a generated province', () => {
  it('are off unless asked for: no readers, no taps', () => {
    const { envelopes, manifest } = province()
    expect(envelopes.some((e) => e.type === 'CardTapRecorded')).toBe(false)
    expect(manifest.brokenTaps).toBeUndefined()
  })

  it('bracket honest sessions, not the injected late or missing ones, and change no completion', async () => {
    const { envelopes, manifest } = province({ broken: 0.05 })
    const taps = envelopes.filter((e) => e.type === 'CardTapRecorded')
    expect(taps.length).toBeGreaterThan(200)
    // Every tap is signed by a reader registered to its class.
    const readers = new Map(
      envelopes
        .filter((e) => e.type === 'DeviceRegistered')
        .map((e) => [String(e.data.device), String(e.data.class)]),
    )
    for (const t of taps) expect(readers.get(String(t.data.device))).toBe(t.data.class)

    const broken = manifest.brokenTaps ?? []
    expect(broken.length).toBeGreaterThan(0)
    const brokenKey = new Set(broken.map((b) => `${b.worker}|${b.class}|${b.session}`))
    for (const b of broken) {
      const { tapsOnly, all, faceOnly } = readings(envelopes, b.worker, b.class)
      // The taps left of that session credit nothing (the reading cites the taps it counts).
      for (const id of b.taps) expect(tapsOnly.evidence, b.kind).not.toContain(id)
      // Still credited by the worker's face checks there: the hours are what they were.
      expect(all.attendedHours).toBe(faceOnly.attendedHours)
    }

    // Honest taps: every session a worker tapped in and out of is credited from the taps alone.
    const tapped = new Set(taps.map((t) => `${String(t.data.worker)}|${String(t.data.class)}`))
    for (const key of tapped) {
      const [worker, cls] = key.split('|') as [string, string]
      const { facts, tapsOnly, all, faceOnly } = readings(envelopes, worker, cls)
      for (const t of facts.taps) {
        if (brokenKey.has(`${key}|${t.session}`)) continue
        expect(tapsOnly.evidence, `${key} ${t.session}`).toContain(t.id)
      }
      expect(all.attendedHours).toBe(faceOnly.attendedHours)
    }

    const alerts = await detectAll([fraudRules.R7], book, envelopes)
    expect(alerts).toEqual([])
  })
})
