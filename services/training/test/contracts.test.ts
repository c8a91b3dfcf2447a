import { decodeRecorded, toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { application } from './domain/fixtures.ts'

// The changes this service made to its contracts: the application carries its schedule from
// version 2 on, while version 1 history still reads; a class may open with an empty roster.

const meta = {
  occurredAt: '2024-04-01T09:00:00+08:00',
  actor: { kind: 'institution_staff' as const, id: 'staff-1' },
  source: 'trec.training',
  region: '130102',
}

describe('ClassOpeningApplied versions', () => {
  const { sessions: _, teachers: __, ...v1 } = application().data

  it('reads a version 1 application as the current version, without a schedule rather than an invented one', () => {
    const envelope = decodeRecorded({
      id: '0190f3a2-0000-7000-8000-000000000001',
      stream: 'class-cls-1',
      revision: 0,
      position: 1n,
      type: 'ClassOpeningApplied',
      data: v1,
      metadata: { ...meta, schemaVersion: 1 },
      recordedAt: '2024-04-01T01:00:00.000Z',
    })
    expect([envelope.schemaVersion, envelope.storedSchemaVersion]).toEqual([3, 1])
    expect(envelope.data).toEqual(v1)
  })

  it('reads a version 2 application as version 3, naming no second training base', () => {
    const v2 = application().data
    const envelope = decodeRecorded({
      id: '0190f3a2-0000-7000-8000-000000000002',
      stream: 'class-cls-1',
      revision: 0,
      position: 2n,
      type: 'ClassOpeningApplied',
      data: v2,
      metadata: { ...meta, schemaVersion: 2 },
      recordedAt: '2024-04-01T01:00:00.000Z',
    })
    expect([envelope.schemaVersion, envelope.storedSchemaVersion]).toEqual([3, 2])
    expect(envelope.data).toEqual(v2)
    expect(envelope.data).not.toHaveProperty('jointBase')
  })

  it('refuses a new application without sessions and teachers', () => {
    try {
      toEventToAppend({ type: 'ClassOpeningApplied', data: v1 as never }, meta)
      expect.unreachable()
    } catch (error) {
      expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
      const paths = (error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join('.'))
      expect(paths).toEqual(expect.arrayContaining(['data.sessions', 'data.teachers']))
    }
  })

  it('writes an opening with an empty roster (enrolments follow as RosterEntryAdded)', () => {
    const { data } = application()
    const opened = {
      class: data.class,
      institution: data.institution,
      sessions: data.sessions,
      teachers: data.teachers,
      roster: [],
    }
    expect(toEventToAppend({ type: 'ClassOpened', data: opened }, meta).data).toEqual(opened)
  })
})
