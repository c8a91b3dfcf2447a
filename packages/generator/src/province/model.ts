import { createHash } from 'node:crypto'
import type { Actor, EventType } from '@trec/contracts'
import { chinaDay } from '@trec/core'
import { uuidFromText } from '@trec/oversight'
import type { City, Occupation } from './places.ts'
import type { Random } from './random.ts'

// The synthetic province as the generator builds it: institutions, classes and their members,
// and every event as a pending, still editable record. Fraud is injected by editing, adding or
// removing pending events; evidence lists are computed last, from what is left.

export interface Pending {
  id: string
  type: EventType
  data: Record<string, unknown>
  /** When it happened, epoch ms; the feed is written in this order (then `seq`). */
  at: number
  seq: number
  actor: Actor
  region: string
  correlationId?: string
  removed?: boolean
  /** Fills fields that depend on other events (evidence lists) once injection is done. */
  finalize?: () => void
}

export interface InstitutionModel {
  id: string
  city: City
  region: string
  staff: Actor
  mill: boolean
}

export interface SessionModel {
  session: string
  start: number
  end: number
  mode: 'offline' | 'online'
}

export interface ClassModel {
  id: string
  institution: InstitutionModel
  occupation: Occupation
  level: number
  programme: string
  amount: number
  sessions: SessionModel[]
  device: string
  start: number
  end: number
  mode: 'offline' | 'blended'
  place: { lat: number; lon: number }
  evaluator: { kind: 'social_evaluation_org' | 'college_station'; id: string }
  correlationId: string
  members: Member[]
  mill: boolean
}

export interface Member {
  worker: string
  cls: ClassModel
  /** A second class of the worker (an upgrade after a first one). */
  repeat: boolean
  attendance: number
  enrolment: Pending[]
  checks: Pending[]
  segments: Pending[]
  /** 持卡参训 card taps (only when the province has card readers). */
  taps: Pending[]
  completion?: Pending
  passedCompletion: boolean
  result?: Pending
  certificate?: { event: Pending; id: string; issuedOn: string }
  claim?: {
    submitted: Pending
    id: string
    claimedOn: string
    kind: string
    paid?: Pending
    evidence: () => string[]
  }
}

/** Everything the generator has made so far, with the id and sequence counters. */
export class ProvinceModel {
  readonly seed: string
  readonly rng: Random
  readonly events: Pending[] = []
  readonly institutions: InstitutionModel[] = []
  readonly classes: ClassModel[] = []
  readonly members: Member[] = []
  readonly claimCounts = new Map<string, number>()
  readonly programmes = new Map<string, { id: string; amount: number }>()
  /**
   * Online learning as a platform signs it (issue 25): segments with interactions and progress,
   * signed by the class's platform device, with a passing face check at least every 25 minutes.
   * Off by default, so provinces built before it stay the same.
   */
  signedOnline = false
  /**
   * 持卡参训 (issue 25): a card reader per class, registered like its terminal, and a 签到 and a
   * 签退 tap for each worker present at an in-person session. Off by default, like signed learning.
   */
  cardTaps = false
  #seq = 0

  constructor(seed: string, rng: Random) {
    this.seed = seed
    this.rng = rng
  }

  /** Deterministic ids: a UUIDv8 of the seed and a counter. */
  nextId(): string {
    return uuidFromText(`trec-province\n${this.seed}\n${this.#seq}`)
  }

  add(
    type: EventType,
    data: Record<string, unknown>,
    at: number,
    actor: Actor,
    region: string,
    correlationId?: string,
  ): Pending {
    const p: Pending = {
      id: this.nextId(),
      type,
      data,
      at,
      seq: this.#seq++,
      actor,
      region,
      ...(correlationId ? { correlationId } : {}),
    }
    this.events.push(p)
    return p
  }

  digest(text: string): string {
    return createHash('sha256').update(`${this.seed}\n${text}`).digest('hex')
  }

  nextClaimId(worker: string): string {
    const n = (this.claimCounts.get(worker) ?? 0) + 1
    this.claimCounts.set(worker, n)
    return `clm-${worker}-${n}`
  }
}

export const dayMs = 86_400_000
export const hourMs = 3_600_000
export const minuteMs = 60_000

/** The local (UTC+8) date of an instant. */
export function dateOf(ms: number): string {
  return chinaDay(ms)
}

/** An instant at a local (UTC+8) time of a date. */
export function at(date: string, time: string): number {
  return Date.parse(`${date}T${time}+08:00`)
}

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** The template hash a worker's own face enrolment gives. */
export function templateOf(model: ProvinceModel, worker: string): string {
  return model.digest(`template\n${worker}`)
}

export function fingerprintOf(model: ProvinceModel, worker: string): string {
  return model.digest(`client\n${worker}`)
}

/** The first of some events in feed order. */
export function firstInFeed(events: readonly Pending[]): Pending | undefined {
  return [...events].filter((e) => !e.removed).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
}
