import {
  attendanceFacts,
  type computeAttendance,
  type DomainEvent,
  decodeRecorded,
  type Envelope,
} from '@trec/contracts'
import type { buildProvince } from '../src/province/province.ts'

/** A built province's events as the readers get them from the feed, in feed order. */
export function envelopesOf(events: ReturnType<typeof buildProvince>['events']): Envelope[] {
  return events.map(({ stream, event }, i) =>
    decodeRecorded({
      ...event,
      stream,
      revision: 0,
      position: BigInt(i + 1),
      recordedAt: '2025-01-01T00:00:00.000Z',
    }),
  ) as Envelope[]
}

/** A worker's schedule in a class and the attendance facts of their `attendance-{worker}` stream. */
export function attendanceOf(envelopes: readonly Envelope[], worker: string, cls: string) {
  const opened = envelopes.find((e) => e.type === 'ClassOpened' && e.data.class === cls)!
  const sessions = (opened.data as { sessions: Parameters<typeof computeAttendance>[0] }).sessions
  const mine = envelopes.filter((e) => e.stream === `attendance-${worker}`)
  return { sessions, facts: attendanceFacts(mine as unknown as (DomainEvent & { id: string })[], cls) }
}
