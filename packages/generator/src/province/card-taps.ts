import type { Actor } from '@trec/contracts'
import type { InjectedCase } from './inject.ts'
import {
  type ClassModel,
  iso,
  type Member,
  minuteMs,
  type Pending,
  type ProvinceModel,
  type SessionModel,
} from './model.ts'
import { casesFor } from './picker.ts'

// 持卡参训 (issue 25): each in-person class has a card reader at the door, registered to the class
// like its face-check terminal; a worker taps the social-security card on the way in (签到) and
// on the way out (签退), and the reader signs the taps it read. An honest worker's taps bracket
// the session: in within the quarter hour before its start, out within ten minutes after its end.
// A small share of workers, chosen last, has one session's taps gone wrong: the 签到 tap late
// (more than the tolerated quarter hour after the start) or no 签退 tap at all (left without
// tapping out). The reading of hours then finds those taps do not bracket the session; the
// worker's face checks there still credit it, so no completion changes and no rule is expected
// to fire.

/** The reader's device id for a class. */
export function readerOf(cls: ClassModel): string {
  return `rdr-${cls.id}`
}

/** The reader registered to the class, as its terminal is. */
export function registerReader(model: ProvinceModel, cls: ClassModel, staff: Actor, at: number): void {
  const rng = model.rng
  model.add(
    'DeviceRegistered',
    {
      device: readerOf(cls),
      class: cls.id,
      institution: cls.institution.id,
      algorithm: 'EdDSA',
      publicKey: { kty: 'OKP', crv: 'Ed25519', x: rng.base64url(32) },
      keyThumbprint: rng.base64url(32),
    },
    at,
    staff,
    cls.institution.region,
  )
}

function tap(
  model: ProvinceModel,
  m: Member,
  session: SessionModel,
  when: number,
  purpose: 'sign_in' | 'sign_out',
): Pending {
  const cls = m.cls
  const reader = readerOf(cls)
  const p = model.add(
    'CardTapRecorded',
    {
      worker: m.worker,
      class: cls.id,
      session: session.session,
      device: reader,
      tappedAt: iso(when),
      purpose,
    },
    when,
    { kind: 'device', id: reader, institution: cls.institution.id },
    cls.institution.region,
  )
  m.taps.push(p)
  return p
}

/** The honest taps of the workers present at an in-person session. */
export function tapSession(model: ProvinceModel, session: SessionModel, present: readonly Member[]): void {
  const rng = model.rng
  for (const m of present) {
    tap(model, m, session, session.start - rng.int(60, 14 * 60) * 1000, 'sign_in')
    tap(model, m, session, session.end + rng.int(0, 10 * 60) * 1000, 'sign_out')
  }
}

export interface BrokenTaps {
  worker: string
  class: string
  session: string
  /** `late`: the 签到 tap came after the tolerance; `absent`: no 签退 tap. */
  kind: 'late' | 'absent'
  /** The session's taps as they now stand. */
  taps: string[]
}

/**
 * For a share of the workers with taps that no other case uses, one session's taps made not to
 * bracket it: the 签到 tap moved 16–40 minutes after the start, or the 签退 tap removed.
 */
export function breakTaps(model: ProvinceModel, rate: number, injected: InjectedCase[]): BrokenTaps[] {
  const taken = new Set(injected.map((c) => c.subject.id))
  const eligible = model.members.filter((m) => !taken.has(m.worker) && m.taps.some((t) => !t.removed))
  const out: BrokenTaps[] = []
  for (const m of model.rng.sample(eligible, casesFor(rate, eligible.length))) {
    const session = String(model.rng.pick(m.taps.filter((t) => !t.removed)).data.session)
    const own = m.taps.filter((t) => !t.removed && t.data.session === session)
    const kind = model.rng.chance(0.5) ? 'late' : 'absent'
    if (kind === 'late') {
      const signIn = own.find((t) => t.data.purpose === 'sign_in')!
      const start = m.cls.sessions.find((s) => s.session === session)!.start
      const when = start + model.rng.int(16, 40) * minuteMs
      signIn.data.tappedAt = iso(when)
      signIn.at = when
    } else own.find((t) => t.data.purpose === 'sign_out')!.removed = true
    out.push({
      worker: m.worker,
      class: m.cls.id,
      session,
      kind,
      taps: own.filter((t) => !t.removed).map((t) => t.id),
    })
  }
  return out
}
