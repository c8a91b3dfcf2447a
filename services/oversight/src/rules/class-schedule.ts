import type { Envelope } from '@trec/contracts'

// A class's schedule as the attendance rules need it: each session's interval in epoch
// milliseconds and its mode, from `ClassOpened.sessions` (the sessions the 培训前审核 passed;
// packages/contracts README, "Reading the training streams").

export interface ScheduleSlot {
  institution: string
  sessions: Record<string, [start: number, end: number, mode: 'offline' | 'online']>
}

export const scheduleKey = (cls: string) => `c:${cls}`

export function scheduleOf(event: Envelope): ScheduleSlot | undefined {
  if (event.type !== 'ClassOpened') return undefined
  const sessions: ScheduleSlot['sessions'] = {}
  for (const s of event.data.sessions) sessions[s.session] = [Date.parse(s.start), Date.parse(s.end), s.mode]
  return { institution: event.data.institution, sessions }
}
