// What the KurrentDB adapter decides without a server: how trec's vocabulary maps onto the
// client's, how the id index judges an append, and how the real client's failures surface when
// nothing listens. The contract suite (kurrentdb.int.test.ts) covers the rest against a server.
import { createServer } from 'node:net'
import {
  ANY,
  jsonEvent,
  KurrentDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  type ResolvedEvent,
  START,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client'
import { isTrecError, type JsonObject, TrecError, uuidv7 } from '@trec/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type IdIndexEntry,
  idIndexEvent,
  idIndexStream,
  judgeAppend,
  parseIdIndexEntry,
} from '../src/kurrentdb/id-index.ts'
import { KeyedLock, mapLimit } from '../src/kurrentdb/keyed-lock.ts'
import { type KurrentDbEventStore, openKurrentDbEventStore } from '../src/kurrentdb/kurrentdb-event-store.ts'
import {
  canonicalJson,
  contentDigest,
  fromStoredMetadata,
  isFeedEvent,
  positionOf,
  readAllFrom,
  singleAppendMetadata,
  toActualRevision,
  toRecorded,
  toStreamState,
  translateError,
  wrapMetadata,
} from '../src/kurrentdb/mapping.ts'
import { assertStreamName } from '../src/validate.ts'
import { containerRuntimeProblem, kurrentDbForTests } from '../test-support/kurrentdb-server.ts'

const streamName = fc.stringMatching(/^[a-z][a-z0-9_]{0,39}-[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/)
const jsonObject = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<JsonObject>

function conflictOf(error: unknown) {
  expect(isTrecError(error, 'TREC_STREAM_CONFLICT'), String(error)).toBe(true)
  return (error as TrecError).details
}

describe('expected revisions and conflicts', () => {
  it("sends 'any' and 'no_stream' as the client's states and a revision as a bigint", () => {
    expect(toStreamState('any')).toBe(ANY)
    expect(toStreamState('no_stream')).toBe(NO_STREAM)
    fc.assert(fc.property(fc.nat(), (n) => toStreamState(n) === BigInt(n)))
  })

  it('reports a missing, deleted or tombstoned stream as revision -1', () => {
    expect(toActualRevision(NO_STREAM)).toBe(-1)
    expect(toActualRevision(-5n)).toBe(-1)
    expect(toActualRevision(-6n)).toBe(-1)
    expect(toActualRevision(0n)).toBe(0)
    expect(toActualRevision(41n)).toBe(41)
  })

  it("turns the client's wrong-expected-version error into the SQL adapter's conflict", () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'class-a',
      expected: 1n,
      current: 2n,
    })
    expect(conflictOf(translateError(error, new Map([['class-a', 1]])))).toEqual({
      stream: 'class-a',
      expected: 1,
      actual: 2,
    })
    const missing = new WrongExpectedVersionError(undefined, {
      streamName: 'class-b',
      expected: 0n,
      current: NO_STREAM,
    })
    expect(conflictOf(translateError(missing, new Map([['class-b', 0]]))).actual).toBe(-1)
  })

  it('names the stream of a multi-stream append whose expected revision failed', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'class-b',
      expected: 0n,
      current: 1n,
    })
    const expected = new Map<string, 'no_stream' | number>([
      ['class-a', 'no_stream'],
      ['class-b', 0],
    ])
    expect(conflictOf(translateError(error, expected))).toEqual({ stream: 'class-b', expected: 0, actual: 1 })
  })

  it("maps the server's append size limit and a too-old server to trec errors", () => {
    const big = translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576))
    expect(isTrecError(big, 'TREC_PAYLOAD_TOO_LARGE')).toBe(true)
    expect((big as TrecError).details).toMatchObject({ limit: 1_048_576, unit: 'bytes' })
    const old = translateError(new UnsupportedError('multiStreamAppend', '25.1'))
    expect(isTrecError(old, 'TREC_STORE_UNAVAILABLE')).toBe(true)
    expect((old as TrecError).details).toEqual({ feature: 'multiStreamAppend', minimumVersion: '25.1' })
    expect((old as TrecError).canRetry).toBe(false)
  })

  it('passes trec errors and unknown errors through unchanged', () => {
    const trec = new TrecError('TREC_EVENT_ID_REUSED', 'x')
    expect(translateError(trec)).toBe(trec)
    const other = new RangeError('something else')
    expect(translateError(other)).toBe(other)
  })
})

describe('positions and recorded events', () => {
  it('reads $all from the start, or from the checkpoint event itself (the read includes it)', () => {
    expect(readAllFrom(0n)).toBe(START)
    expect(readAllFrom(12_345n)).toEqual({ commit: 12_345n, prepare: 12_345n })
  })

  const created = new Date('2026-03-04T05:06:07.891Z')
  const resolved = (event: Record<string, unknown>, commitPosition?: bigint) =>
    ({
      event: {
        streamId: 'class-1',
        id: '0190a8f4-8f3b-7c3e-9a4b-1c2d3e4f5a6b',
        revision: 3n,
        type: 'ClassOpened',
        isJson: true,
        data: { seats: 30 },
        metadata: { correlationId: 'c' },
        created,
        position: { commit: 900n, prepare: 900n },
        ...event,
      },
      commitPosition,
    }) as ResolvedEvent

  it('maps a stored event: commit position, numeric revision, metadata, created time with ms', () => {
    expect(toRecorded(resolved({}))).toEqual({
      id: '0190a8f4-8f3b-7c3e-9a4b-1c2d3e4f5a6b',
      stream: 'class-1',
      revision: 3,
      position: 900n,
      type: 'ClassOpened',
      data: { seats: 30 },
      metadata: { correlationId: 'c' },
      recordedAt: '2026-03-04T05:06:07.891Z',
    })
    expect(toRecorded(resolved({ metadata: undefined })).metadata).toEqual({})
  })

  it("takes the event's own commit position, else the read's", () => {
    expect(positionOf(resolved({}, 5n))).toBe(900n)
    expect(positionOf(resolved({ position: undefined }, 5n))).toBe(5n)
    expect(() => toRecorded(resolved({ position: undefined }))).toThrow(/position/)
  })

  it('refuses to guess at events that are not JSON objects (another writer’s)', () => {
    for (const bad of [{ isJson: false, data: new Uint8Array([1]) }, { data: [1, 2] }, { data: 'text' }]) {
      const error = (() => {
        try {
          toRecorded(resolved(bad))
        } catch (e) {
          return e
        }
      })()
      expect(isTrecError(error, 'TREC_INTERNAL')).toBe(true)
      expect((error as TrecError).details).toMatchObject({ stream: 'class-1', revision: 3 })
    }
  })

  it('keeps in the feed exactly the trec streams and no $ event types', () => {
    fc.assert(
      fc.property(streamName, (stream) => {
        assertStreamName(stream)
        return isFeedEvent(stream, 'ClassOpened') && !isFeedEvent(stream, '$>')
      }),
    )
    for (const system of ['$all', '$ce-class', '$et-ClassOpened', '$$class-1', '$streams', '$settings'])
      expect(isFeedEvent(system, 'ClassOpened')).toBe(false)
  })

  it('keeps id index streams out of trec stream names and out of the feed', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const stream = idIndexStream(id)
        expect(() => assertStreamName(stream)).toThrow()
        return !isFeedEvent(stream, 'TrecEventStored')
      }),
    )
  })
})

describe('content digests and metadata', () => {
  it('compares content as JSON values: key order does not matter, values do', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, (data, metadata) => {
        const reversed = Object.fromEntries(Object.entries(data).reverse())
        expect(contentDigest('T', reversed, metadata)).toBe(contentDigest('T', data, metadata))
        expect(contentDigest('U', data, metadata)).not.toBe(contentDigest('T', data, metadata))
        expect(contentDigest('T', { ...data, extra: 1 }, metadata)).not.toBe(
          contentDigest('T', data, metadata),
        )
      }),
    )
    expect(contentDigest('T', { a: 1 }, undefined)).toBe(contentDigest('T', { a: 1 }, {}))
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}')
  })

  it('stores metadata so that it reads back the same, from either kind of append', () => {
    fc.assert(
      fc.property(jsonObject, (metadata) => {
        const asJson = JSON.parse(JSON.stringify(metadata)) // what any JSON store gives back (-0 is 0)
        const single = JSON.parse(JSON.stringify(singleAppendMetadata(metadata)))
        expect(fromStoredMetadata(single)).toEqual(asJson)
        // What a v1 read shows for a multi-stream append: the properties plus the server's own.
        const multi = { '$schema.format': 'Json', '$schema.name': 'T', ...wrapMetadata(metadata) }
        expect(fromStoredMetadata(multi)).toEqual(asJson)
      }),
    )
    const tricky = { 'trec.metadata': 'not json, and the user’s own' }
    expect(fromStoredMetadata(JSON.parse(JSON.stringify(singleAppendMetadata(tricky))))).toEqual(tricky)
    expect(fromStoredMetadata(undefined)).toEqual({})
  })
})

describe('the id index', () => {
  const ids = [uuidv7(), uuidv7(), uuidv7()]
  const digests = ['d0', 'd1', 'd2']
  const at = (revision: number, i: number, stream = 'class-1'): IdIndexEntry => ({
    stream,
    revision,
    position: BigInt(1000 + revision * 10),
    digest: digests[i]!,
  })

  it('round-trips an entry through the index event, and ignores anything else', () => {
    const entry = at(7, 1)
    const event = idIndexEvent(ids[1]!, entry)
    expect(event.id).toBe(ids[1])
    expect(parseIdIndexEntry(event.type, JSON.parse(JSON.stringify(event.data)))).toEqual(entry)
    expect(parseIdIndexEntry('Other', event.data)).toBeUndefined()
    expect(parseIdIndexEntry(event.type, { ...event.data, position: '-1' })).toBeUndefined()
    expect(parseIdIndexEntry(event.type, null)).toBeUndefined()
  })

  it('appends when no id is stored', () => {
    expect(judgeAppend('class-1', ids, digests, [undefined, undefined, undefined])).toEqual({ kind: 'new' })
  })

  it('answers a retry from the index: the last revision and the positions, nothing written', () => {
    const verdict = judgeAppend('class-1', ids, digests, [at(4, 0), at(5, 1), at(6, 2)])
    expect(verdict).toEqual({
      kind: 'retry',
      result: { revision: 6, positions: [1040n, 1050n, 1060n], written: false },
    })
  })

  it('refuses an id stored with other content, in another stream, or with new events', () => {
    expect(judgeAppend('class-1', ids, ['d0', 'dX', 'd2'], [at(4, 0), at(5, 1), at(6, 2)])).toEqual({
      kind: 'reused',
      id: ids[1],
    })
    expect(judgeAppend('class-2', ids, digests, [at(4, 0), at(5, 1), at(6, 2)])).toEqual({
      kind: 'reused',
      id: ids[0],
    })
    // Stored on its own at revision 0, now sent after a new event: not where this append puts it.
    expect(judgeAppend('class-1', ids.slice(0, 2), digests, [undefined, at(0, 1)])).toEqual({
      kind: 'reused',
      id: ids[1],
    })
  })

  it('asks for a check of the stream when the index looks cut short', () => {
    expect(judgeAppend('class-1', ids, digests, [at(4, 0), undefined, undefined])).toEqual({
      kind: 'check',
      from: 4,
    })
    expect(judgeAppend('class-1', ids, digests, [undefined, at(5, 1), undefined])).toEqual({
      kind: 'check',
      from: 4,
    })
    expect(judgeAppend('class-1', ids, digests, [at(4, 0), undefined, at(9, 2)])).toEqual({
      kind: 'reused',
      id: ids[0],
    })
  })
})

describe('KeyedLock and mapLimit', () => {
  const tick = () => new Promise((r) => setTimeout(r, 1))

  it('runs tasks that share a key one at a time, and lets disjoint ones overlap', async () => {
    const lock = new KeyedLock()
    let inside = 0
    let most = 0
    const shared = () =>
      lock.run(['x', 'y'], async () => {
        inside++
        most = Math.max(most, inside)
        await tick()
        inside--
      })
    await Promise.all([shared(), shared(), shared()])
    expect(most).toBe(1)

    let together = 0
    let peak = 0
    await Promise.all(
      ['a', 'b', 'c'].map((k) =>
        lock.run([k], async () => {
          peak = Math.max(peak, ++together)
          await tick()
          together--
        }),
      ),
    )
    expect(peak).toBe(3)
    expect(lock.size).toBe(0)
  })

  it('never deadlocks, whatever keys the tasks take in whatever order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), { maxLength: 12 }),
        async (tasks) => {
          const lock = new KeyedLock()
          const holders = new Map<string, number>()
          const done = await Promise.all(
            tasks.map((keys, t) =>
              lock.run(keys, async () => {
                const unique = new Set(keys)
                for (const k of unique) {
                  expect(holders.has(k)).toBe(false)
                  holders.set(k, t)
                }
                await tick()
                for (const k of unique) holders.delete(k)
                return t
              }),
            ),
          )
          expect(done).toEqual(tasks.map((_, t) => t))
          expect(lock.size).toBe(0)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('keeps at most the limit in flight and the results in input order', async () => {
    let inFlight = 0
    let peak = 0
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      peak = Math.max(peak, ++inFlight)
      await new Promise((r) => setTimeout(r, n))
      inFlight--
      return n * 10 + i
    })
    expect(out).toEqual([50, 11, 42, 23, 34, 5])
    expect(peak).toBe(2)
  })
})

describe('the adapter with nothing listening (the real client, no server)', () => {
  let url: string
  let store: KurrentDbEventStore
  beforeAll(async () => {
    // A port that was free a moment ago: connecting to it is refused.
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as { port: number }
    await new Promise((r) => server.close(r))
    url = `kurrentdb://127.0.0.1:${port}?tls=false`
    store = await openKurrentDbEventStore({ connectionString: url, skipProbe: true })
  })
  afterAll(async () => {
    await store.close()
  })

  const unavailable = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isTrecError(error, 'TREC_STORE_UNAVAILABLE'), String(error)).toBe(true)
    expect((error as TrecError).canRetry).toBe(true)
  }

  it('fails to open with TREC_STORE_UNAVAILABLE, retryable', async () => {
    await unavailable(openKurrentDbEventStore({ connectionString: url }))
  })

  it('reports every operation as TREC_STORE_UNAVAILABLE, retryable', async () => {
    const event = { id: uuidv7(), type: 'T', data: {} }
    await unavailable(store.append('class-1', [event]))
    await unavailable(
      store.appendMany([
        { stream: 'class-1', events: [event] },
        { stream: 'class-2', events: [] },
      ]),
    )
    await unavailable(store.readStream('class-1'))
    await unavailable(store.streamRevision('class-1'))
    await unavailable(store.readAll())
    await unavailable(store.headPosition())
  })

  it("maps the client's own append failure (a bare gRPC UNAVAILABLE) the same way", async () => {
    const client = KurrentDBClient.connectionString(url)
    try {
      const error = await client
        .appendToStream('class-1', jsonEvent({ type: 'T', data: {} }))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(isTrecError(error)).toBe(false)
      await unavailable(Promise.reject(translateError(error)))
    } finally {
      await client.dispose()
    }
  })

  it('refuses bad input before sending anything, with the errors every adapter gives', async () => {
    const error = await store.append('$all', [{ id: uuidv7(), type: 'T', data: {} }]).catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_INVALID_STREAM_NAME')).toBe(true)
    const bad = await store
      .append('class-1', [{ id: 'nope', type: 'T', data: {} }], { expectedRevision: 'no_stream' })
      .catch((e: unknown) => e)
    expect(isTrecError(bad, 'TREC_INVALID_EVENT')).toBe(true)
    const revision = await store
      .append('class-1', [], { expectedRevision: -1 as never })
      .catch((e: unknown) => e)
    expect(isTrecError(revision, 'TREC_VALIDATION')).toBe(true)
  })

  it('runs beforeCommit before sending, and its error is the answer', async () => {
    const hook = new Error('hold it')
    const error = await store
      .append('class-1', [{ id: uuidv7(), type: 'T', data: {} }], {
        beforeCommit: async () => {
          throw hook
        },
      })
      .catch((e: unknown) => e)
    expect(error).toBe(hook)
  })

  it('reads an empty feed once closed, like the SQL adapter', async () => {
    const closing = await openKurrentDbEventStore({ connectionString: url, skipProbe: true })
    await closing.close()
    await closing.close()
    expect(await closing.readAll()).toEqual([])
    const error = await closing.streamRevision('class-1').catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_STORE_UNAVAILABLE')).toBe(true)
  })
})

describe('finding a KurrentDB for tests', () => {
  it('uses KURRENTDB_URL as given, starting nothing', async () => {
    const found = await kurrentDbForTests({ env: { KURRENTDB_URL: 'kurrentdb://db.test:2113?tls=false' } })
    expect(found).toMatchObject({ url: 'kurrentdb://db.test:2113?tls=false' })
  })

  it('skips quickly with the precise reason when no container runtime answers', async (context) => {
    const env = { ...process.env, KURRENTDB_URL: '' }
    const started = Date.now()
    const problem = await containerRuntimeProblem(3000, env)
    if (problem === undefined) context.skip() // a runtime is there: the suite would start a container
    expect(Date.now() - started).toBeLessThan(5000)
    expect(problem).toMatch(
      /; DOCKER_HOST(=| is not set).*; \/var\/run\/docker\.sock (exists|does not exist)$/,
    )
    const found = await kurrentDbForTests({ env })
    expect(found).toEqual({
      skip: `no KurrentDB: KURRENTDB_URL is not set and no container runtime answers (${problem})`,
    })
  })
})
