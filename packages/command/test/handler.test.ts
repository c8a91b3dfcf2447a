import type { EventData } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendedBefore, type Decider, handleCommand, idList, reject } from '../src/index.ts'
import { spec } from '../src/specification.ts'

// A small institution lifecycle, enough to exercise load → decide → append → retry.
type Event =
  | { type: 'InstitutionDesignated'; data: EventData<'InstitutionDesignated'> }
  | { type: 'InstitutionDelisted'; data: EventData<'InstitutionDelisted'> }
type Command =
  | { kind: 'designate'; data: EventData<'InstitutionDesignated'> }
  | { kind: 'delist'; data: EventData<'InstitutionDelisted'> }
type State = 'none' | 'designated' | 'delisted'

const institution: Decider<State, Command, Event> = {
  initialState: () => 'none',
  evolve: (_state, event) => (event.type === 'InstitutionDesignated' ? 'designated' : 'delisted'),
  decide(command, state) {
    if (command.kind === 'designate') {
      if (state !== 'none') reject({ rule: 'designate-once', message: 'already designated' })
      return [{ type: 'InstitutionDesignated', data: command.data }]
    }
    if (state !== 'designated') reject({ rule: 'delist-designated', message: 'not designated' })
    return [{ type: 'InstitutionDelisted', data: command.data }]
  },
}

const designated: EventData<'InstitutionDesignated'> = {
  institution: 'inst-1',
  legalName: '石家庄市新航职业培训学校',
  uscc: '52130100MJ0123456N',
  region: '130102',
  kinds: ['private_provider'],
  effectiveFrom: '2024-03-01',
}
const delisted: EventData<'InstitutionDelisted'> = {
  institution: 'inst-1',
  reason: 'false_training',
  effectiveFrom: '2024-07-15',
}
const meta = {
  occurredAt: '2024-03-01T09:00:00+08:00',
  actor: { kind: 'subsidy_officer' as const, id: 'officer-7' },
  source: 'trec.training',
  region: '130102',
}

describe('deciders, given/when/then', () => {
  it('designates a new institution', () => {
    spec(institution)
      .given()
      .when({ kind: 'designate', data: designated })
      .then({ type: 'InstitutionDesignated', data: designated })
  })
  it('refuses to delist an institution that was never designated', () => {
    spec(institution).given().when({ kind: 'delist', data: delisted }).rejects('delist-designated')
  })
})

describe('handling a command against the store', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  it('appends the decided events with envelope metadata, then refuses what the state forbids', async () => {
    const result = await handleCommand(store, institution, {
      stream: 'institution-inst-1',
      command: { kind: 'designate', data: designated },
      meta,
    })
    expect(result.append).toMatchObject({ revision: 0, written: true })
    const [stored] = await store.readStream('institution-inst-1')
    expect(stored!.metadata).toMatchObject({ schemaVersion: 1, actor: meta.actor, region: '130102' })
    const error = await handleCommand(store, institution, {
      stream: 'institution-inst-1',
      command: { kind: 'designate', data: designated },
      meta,
    }).catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_RULE_FAILED')).toBe(true)
    expect(await store.streamRevision('institution-inst-1')).toBe(0)
  })

  it('decides again when a concurrent writer moved the stream, so only one of two racing delistings lands', async () => {
    const stream = 'institution-inst-2'
    await handleCommand(store, institution, {
      stream,
      command: { kind: 'designate', data: { ...designated, institution: 'inst-2' } },
      meta,
    })
    const race = await Promise.allSettled(
      [1, 2].map(() =>
        handleCommand(store, institution, {
          stream,
          command: { kind: 'delist', data: { ...delisted, institution: 'inst-2' } },
          meta,
        }),
      ),
    )
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const failed = race.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(isTrecError(failed.reason, 'TREC_RULE_FAILED')).toBe(true)
    expect(await store.streamRevision(stream)).toBe(1)
  })
})

describe('a command retried after its answer was lost', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
  })
  afterAll(() => store.close())

  /** Derived ids, as an Idempotency-Key gives them: the same sequence for every attempt. */
  const keyed = (key: string, resumed: boolean) => {
    let n = 0
    return Object.assign(
      () => `00000000-0000-8000-8000-${key.padStart(8, '0')}${String(n++).padStart(4, '0')}`,
      {
        resumed,
      },
    )
  }
  const designate = (institutionId: string, nextId: () => string, occurredAt: string) =>
    handleCommand(store, institution, {
      stream: `institution-${institutionId}`,
      command: { kind: 'designate', data: { ...designated, institution: institutionId } },
      meta: { ...meta, occurredAt },
      nextId,
    })

  it('answers from the events its first attempt stored, without deciding again', async () => {
    const first = await designate('inst-r1', keyed('1', false), '2024-03-01T09:00:00+08:00')
    const retry = await designate('inst-r1', keyed('1', true), '2024-03-01T09:05:00+08:00')
    expect(retry.ids).toEqual(first.ids)
    expect(retry.append).toEqual({ ...first.append, written: false })
    expect(retry.events).toEqual([
      { type: 'InstitutionDesignated', data: { ...designated, institution: 'inst-r1' } },
    ])
    expect(await store.streamRevision('institution-inst-r1')).toBe(0)
  })

  it('decides as usual when the first attempt stored nothing, or when the retry is not marked resumed', async () => {
    const fresh = await designate('inst-r2', keyed('2', true), '2024-03-01T09:00:00+08:00')
    expect(fresh.append.written).toBe(true)
    const error = await designate('inst-r2', keyed('2', false), '2024-03-01T09:05:00+08:00').catch((e) => e)
    expect(isTrecError(error)).toBe(true)
  })

  it('finds the events by their ids in order, and stops at the first id not stored', async () => {
    const ids = idList(keyed('3', true))
    await store.append('institution-inst-r3', [
      { id: ids(0), type: 'InstitutionDesignated', data: { ...designated, institution: 'inst-r3' } },
    ] as never)
    expect((await appendedBefore(store, ids))?.map((e) => e.id)).toEqual([ids(0)])
    expect(await appendedBefore(store, idList(keyed('4', true)))).toBeUndefined()
    // A one-event command draws one id again and again.
    expect((await appendedBefore(store, () => ids(0)))?.map((e) => e.id)).toEqual([ids(0)])
  })
})
