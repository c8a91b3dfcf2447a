import { openTestCase } from '@trec/command/testing'
import { decodeRecorded, type Envelope, toEventToAppend } from '@trec/contracts'
import type { EventStore, EventToAppend } from '@trec/eventstore'
import { foldWorkerArchive } from '@trec/readmodels'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cardNumber, cards, type Harness, harness, pseudonymizer, storedEvents } from './harness.ts'

// The card-service lookup: by card number in a POST body, for a stated purpose, every read
// logged in `access-{worker}` before the answer is sent; the number never in a log line.

async function lookup(
  h: Harness,
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/archive/lookup',
    headers: { authorization: `Bearer ${token}`, ...headers },
    payload: body,
  })
}

const accessEvents = async (h: Harness, worker: string) =>
  (await h.store.readStream(`access-${worker}`)).map((e) => decodeRecorded(e) as Envelope<'RecordAccessed'>)

/** The access events `act` added for `worker`. */
async function logged(h: Harness, worker: string, act: () => Promise<unknown>) {
  const before = (await accessEvents(h, worker)).length
  await act()
  return (await accessEvents(h, worker)).slice(before)
}

describe('POST /v1/archive/lookup', () => {
  let h: Harness
  const card = cards[0]!
  const worker = pseudonymizer.pseudonym(card)
  beforeAll(async () => {
    h = await harness()
    await openTestCase(h.store, 'case-2021-07', { region: '130102', workers: [worker] })
  })
  afterAll(async () => {
    await h.close()
  })

  it('answers a card service with the worker’s archive, the same as the fold of the record', async () => {
    const response = await lookup(h, await h.token('cardService'), {
      cardNumber: card,
      purpose: 'card_holder_request',
    })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.worker).toBe(worker)
    expect(body.archive).toEqual(
      JSON.parse(JSON.stringify(foldWorkerArchive(worker, await storedEvents(h.store)))),
    )
    expect(body.archive.found).toBe(true)
    expect(body.archive.trainings.length).toBeGreaterThan(0)
  })

  it('lets an investigator read without a case, and flags the read for review', async () => {
    const events = await logged(h, worker, async () => {
      expect(
        (await lookup(h, await h.token('investigator'), { cardNumber: card, purpose: 'fraud_case' }))
          .statusCode,
      ).toBe(200)
    })
    expect(events.map((e) => e.data.flags)).toEqual([['no_case_ref']])
    const withCase = await logged(h, worker, () =>
      lookup(h, '', {}).then(async () =>
        lookup(h, await h.token('investigator'), {
          cardNumber: card,
          purpose: 'supervision_inspection',
          caseRef: 'case-2021-07',
        }),
      ),
    )
    expect(withCase.map((e) => [e.data.purpose, e.data.caseRef, e.data.flags])).toEqual([
      ['supervision_inspection', 'case-2021-07', []],
    ])
  })

  it('logs each of many lookups at once with its own event, found or not, whether they went alone, a few at once or together', async () => {
    const token = await h.token('cardService')
    // Known workers and unknown card numbers, several times each, all in flight together.
    const numbers = [...cards, ...['11010119900307998', '11010119900307997'].map(cardNumber)]
    const outcomes = new Set<boolean>()
    for (const size of [1, 3, 12]) {
      const asked = Array.from({ length: size }, (_, i) => numbers[i % numbers.length]!)
      const before = await Promise.all(asked.map((n) => accessEvents(h, pseudonymizer.pseudonym(n))))
      const answers = await Promise.all(
        asked.map((n) => lookup(h, token, { cardNumber: n, purpose: 'card_holder_request' })),
      )
      for (const [i, n] of asked.entries()) {
        expect(answers[i]!.statusCode).toBe(200)
        const { worker, archive, access } = answers[i]!.json()
        expect(worker).toBe(pseudonymizer.pseudonym(n))
        const event = (await accessEvents(h, worker)).find((e) => e.id === access.event)
        expect(event?.data).toMatchObject({ worker, found: archive.found })
        outcomes.add(archive.found)
      }
      // One event per lookup, no more.
      const after = await Promise.all(asked.map((n) => accessEvents(h, pseudonymizer.pseudonym(n))))
      const added = new Map(asked.map((n, i) => [n, after[i]!.length - before[i]!.length]))
      for (const n of new Set(asked)) expect(added.get(n)).toBe(asked.filter((m) => m === n).length)
    }
    expect(outcomes).toEqual(new Set([true, false]))
  })

  it('logs a read of a card with no record, as not found', async () => {
    const number = cardNumber('11010119900307999')
    const response = await lookup(h, await h.token('cardService'), {
      cardNumber: number,
      purpose: 'card_holder_request',
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().archive).toMatchObject({ found: false, trainings: [] })
    expect((await accessEvents(h, pseudonymizer.pseudonym(number))).map((e) => e.data.found)).toEqual([false])
  })

  it('shows the archive as of a past instant by what had been recorded then', async () => {
    const other = cards[1]!
    const stored = await h.store.readAll({ maxCount: 100_000 })
    const completion = stored.find(
      (e) =>
        e.type === 'TrainingCompleted' &&
        (e.data as { worker?: string }).worker === pseudonymizer.pseudonym(other),
    )!
    const before = new Date(Date.parse(completion.recordedAt) - 1).toISOString()
    const events = await logged(h, pseudonymizer.pseudonym(other), async () => {
      const response = await lookup(h, await h.token('cardService'), {
        cardNumber: other,
        purpose: 'card_holder_request',
        asOf: before,
      })
      expect(response.statusCode).toBe(200)
      const archive = response.json().archive
      expect(archive.asOf).toBe(before)
      expect(archive.trainings[0].status).toBe('enrolled')
      expect(archive.trainings[0].completion).toBeUndefined()
    })
    expect(events.map((e) => e.data.asOf)).toEqual([before])
  })

  describe('who may read, and why', () => {
    const subject = cards[2]!
    const subjectWorker = pseudonymizer.pseudonym(subject)

    it('refuses a caller without a valid token (401), and logs nothing', async () => {
      const bad = await h.tokens.bad({ sub: 'ssc-platform', role: 'card_service' })
      const events = await logged(h, subjectWorker, async () => {
        for (const [name, token] of Object.entries(bad)) {
          const response = await h.app.inject({
            method: 'POST',
            url: '/v1/archive/lookup',
            headers: token ? { authorization: token.startsWith('Bearer') ? token : `Bearer ${token}` } : {},
            payload: { cardNumber: subject, purpose: 'card_holder_request' },
          })
          expect([name, response.statusCode]).toEqual([name, 401])
        }
      })
      expect(events).toEqual([])
    })

    it('refuses roles that do not serve card holders or investigate (403)', async () => {
      const events = await logged(h, subjectWorker, async () => {
        for (const who of ['auditor', 'finance'] as const) {
          const response = await lookup(h, await h.token(who), {
            cardNumber: subject,
            purpose: 'card_holder_request',
          })
          expect([who, response.statusCode, response.json().code]).toEqual([who, 403, 'TREC_FORBIDDEN'])
        }
      })
      expect(events).toEqual([])
    })

    it('refuses a purpose the role does not have (403)', async () => {
      const events = await logged(h, subjectWorker, async () => {
        const asService = await lookup(h, await h.token('cardService'), {
          cardNumber: subject,
          purpose: 'fraud_case',
          caseRef: 'case-1',
        })
        expect(asService.statusCode).toBe(403)
        expect(asService.json()).toMatchObject({
          reason: 'purpose not allowed for role',
          purpose: 'fraud_case',
        })
        const asInvestigator = await lookup(h, await h.token('investigator'), {
          cardNumber: subject,
          purpose: 'card_holder_request',
        })
        expect(asInvestigator.statusCode).toBe(403)
      })
      expect(events).toEqual([])
    })

    it('needs the consent for a consented disclosure (400)', async () => {
      const events = await logged(h, subjectWorker, async () => {
        const response = await lookup(h, await h.token('cardService'), {
          cardNumber: subject,
          purpose: 'consented_disclosure',
        })
        expect(response.statusCode).toBe(400)
        expect(response.json().errors).toEqual([expect.objectContaining({ path: ['body', 'consentRef'] })])
      })
      expect(events).toEqual([])
      const ok = await logged(h, subjectWorker, async () => {
        const response = await lookup(h, await h.token('cardService'), {
          cardNumber: subject,
          purpose: 'consented_disclosure',
          consentRef: 'consent-77',
        })
        expect(response.statusCode).toBe(200)
      })
      expect(ok.map((e) => [e.data.purpose, e.data.consentRef])).toEqual([
        ['consented_disclosure', 'consent-77'],
      ])
    })

    it('refuses an Idempotency-Key: a read is never replayed without being logged', async () => {
      const events = await logged(h, subjectWorker, async () => {
        const response = await lookup(
          h,
          await h.token('cardService'),
          { cardNumber: subject, purpose: 'card_holder_request' },
          { 'idempotency-key': 'k-1' },
        )
        expect(response.statusCode).toBe(400)
      })
      expect(events).toEqual([])
    })
  })

  it('never writes the card number to a log line or an answer, in any spelling, valid or not', async () => {
    const fullWidth = card.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
    const spaced = `${card.slice(0, 6)} ${card.slice(6, 14)} ${card.slice(14)}`
    const invalid = `${card.slice(0, 17)}${card.endsWith('0') ? '1' : '0'}`
    const responses = []
    for (const cardNumber of [card, fullWidth, spaced, invalid])
      for (const who of ['cardService', 'investigator'] as const)
        responses.push(
          await lookup(h, await h.token(who), {
            cardNumber,
            purpose: who === 'cardService' ? 'card_holder_request' : 'fraud_case',
          }),
        )
    // A malformed body and a body with an unknown field echo nothing either.
    responses.push(
      await h.app.inject({
        method: 'POST',
        url: '/v1/archive/lookup',
        headers: {
          authorization: `Bearer ${await h.token('cardService')}`,
          'content-type': 'application/json',
        },
        payload: `{"cardNumber": "${card}", "purpose": `,
      }),
    )
    responses.push(
      await lookup(h, await h.token('cardService'), {
        cardNumber: card,
        purpose: 'card_holder_request',
        note: card,
      }),
    )
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 400, 400, 400, 400])
    expect(h.lines.length).toBeGreaterThan(10)
    const log = h.lines.join('\n')
    for (const spelling of [card, fullWidth, spaced, invalid, card.slice(0, 17)]) {
      expect(log).not.toContain(spelling)
      for (const r of responses) expect(r.body).not.toContain(spelling)
    }
  })
})

describe('break-glass reads are bounded (issue 20, finding 3)', () => {
  let h: Harness
  const card = cards[1]! // issued in 130102
  const worker = pseudonymizer.pseudonym(card)
  const other = pseudonymizer.pseudonym(cards[2]!)
  beforeAll(async () => {
    h = await harness()
    await openTestCase(h.store, 'case-open', { region: '130102', workers: [worker] })
    await openTestCase(h.store, 'case-closed', { region: '130102', workers: [worker], closed: true })
    await openTestCase(h.store, 'case-elsewhere', { region: '440106', workers: [worker] })
    await openTestCase(h.store, 'case-other-worker', { region: '130102', workers: [other] })
  })
  afterAll(async () => {
    await h.close()
  })

  it('refuses a cited case that does not exist, is closed, is in another region or is about someone else', async () => {
    const investigator = await h.tokens.mint({ sub: 'inv-13', role: 'investigator', region: '13' })
    const events = await logged(h, worker, async () => {
      const answers: [string, number, string][] = []
      for (const caseRef of [
        'case-missing',
        'case-closed',
        'case-elsewhere',
        'case-other-worker',
        'case-open',
      ]) {
        const res = await lookup(h, investigator, { cardNumber: card, purpose: 'fraud_case', caseRef })
        answers.push([caseRef, res.statusCode, res.json().reason ?? ''])
      }
      expect(answers).toEqual([
        ['case-missing', 403, 'cited case does not exist'],
        ['case-closed', 403, 'cited case is closed'],
        ['case-elsewhere', 403, 'cited case is in another region'],
        ['case-other-worker', 403, 'cited case does not concern this worker'],
        ['case-open', 200, ''],
      ])
    })
    expect(events.map((e) => e.data.caseRef)).toEqual(['case-open'])
  })

  it('bounds a card service and a case-less investigator by the region of the token', async () => {
    const guangdong = await h.tokens.mint({ sub: 'ssc-44', role: 'card_service', region: '44' })
    const hebei = await h.tokens.mint({ sub: 'ssc-13', role: 'card_service', region: '13' })
    const cityInvestigator = await h.tokens.mint({ sub: 'inv-4401', role: 'investigator', region: '4401' })
    const events = await logged(h, worker, async () => {
      const ask = (token: string, purpose: string) => lookup(h, token, { cardNumber: card, purpose })
      expect((await ask(guangdong, 'card_holder_request')).statusCode).toBe(403)
      expect((await ask(cityInvestigator, 'fraud_case')).statusCode).toBe(403)
      expect((await ask(hebei, 'card_holder_request')).statusCode).toBe(200)
    })
    expect(events.map((e) => e.actor.id)).toEqual(['ssc-13'])
  })
})

describe('the access event is stored before the answer is sent', () => {
  const card = cards[3]!
  const worker = pseudonymizer.pseudonym(card)

  it('is in the store when the response leaves, naming who, why, the pseudonym and the request', async () => {
    let storedWhenSent = -1
    const h = await harness({
      beforeReady: (app, store) =>
        app.addHook('onSend', async (request, _reply, payload) => {
          if (request.url === '/v1/archive/lookup')
            storedWhenSent = (await store.readStream(`access-${worker}`)).length
          return payload
        }),
    })
    try {
      await openTestCase(h.store, 'case-2021-0091', { region: '130102', workers: [worker] })
      const response = await lookup(
        h,
        await h.token('investigator'),
        { cardNumber: card, purpose: 'fraud_case', caseRef: 'case-2021-0091' },
        { 'x-request-id': '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a' },
      )
      expect(response.statusCode).toBe(200)
      expect(storedWhenSent).toBe(1)
      const [event] = await accessEvents(h, worker)
      expect(event).toMatchObject({
        type: 'RecordAccessed',
        actor: { kind: 'investigator', id: 'inv-1' },
        source: 'trec.archive',
        region: '130000',
        data: {
          worker,
          view: 'archive',
          purpose: 'fraud_case',
          caseRef: 'case-2021-0091',
          client: 'inv-1',
          requestId: '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a',
          found: true,
          flags: [],
        },
      })
      expect(response.json().access).toEqual({ event: event!.id, flags: [] })
    } finally {
      await h.close()
    }
  })

  const failingStore = (store: EventStore): EventStore => ({
    append: async () => {
      throw new Error('disk full')
    },
    appendMany: async () => {
      throw new Error('disk full')
    },
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    subscribe: store.subscribe.bind(store),
    streamRevision: store.streamRevision.bind(store),
    headPosition: store.headPosition.bind(store),
    lastPosition: store.lastPosition.bind(store),
    close: store.close.bind(store),
  })
  // The read and the append apart (a store of its own database), or in one statement.
  it.each([
    ['apart', { store: failingStore }],
    [
      'in one statement',
      {
        readThenAppend: () => ({
          appendAfterRead: async () => {
            throw new Error('disk full')
          },
        }),
      },
    ],
  ] as const)(
    'fails closed: when the access event cannot be appended (%s), nothing is answered',
    async (_, faults) => {
      const h = await harness(faults)
      try {
        const response = await lookup(h, await h.token('cardService'), {
          cardNumber: card,
          purpose: 'card_holder_request',
        })
        expect(response.statusCode).toBe(503)
        expect(response.headers['content-type']).toContain('application/problem+json')
        expect(response.json()).toMatchObject({ code: 'TREC_STORE_UNAVAILABLE' })
        expect(response.body).not.toContain('trainings')
        expect(response.body).not.toContain(worker)
      } finally {
        await h.close()
      }
    },
  )
})

describe('GET /v1/archive/access-log', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(async () => {
    await h.close()
  })
  const card = cards[4]!
  const worker = pseudonymizer.pseudonym(card)

  it('tells an auditor who read the worker’s record, and logs the auditor’s read too', async () => {
    await lookup(h, await h.token('cardService'), { cardNumber: card, purpose: 'card_holder_request' })
    await lookup(h, await h.token('investigator'), { cardNumber: card, purpose: 'fraud_case' })
    const response = await h.app.inject({
      method: 'GET',
      url: `/v1/archive/access-log?worker=${worker}`,
      headers: { authorization: `Bearer ${await h.token('auditor')}` },
    })
    expect(response.statusCode).toBe(200)
    const { items } = response.json()
    expect(
      items.map((e: { actor: { kind: string }; purpose: string; flags: string[] }) => [
        e.actor.kind,
        e.purpose,
        e.flags,
      ]),
    ).toEqual([
      ['card_service', 'card_holder_request', []],
      ['investigator', 'fraud_case', ['no_case_ref']],
    ])
    const log = await accessEvents(h, worker)
    expect(log.map((e) => [e.actor.kind, e.data.view, e.data.purpose])).toEqual([
      ['card_service', 'archive', 'card_holder_request'],
      ['investigator', 'archive', 'fraud_case'],
      ['auditor', 'access_log', 'audit'],
    ])
  })

  it('reads back every kind of event in the stream: exports, and reads by other services (issue 20, finding 5)', async () => {
    const meta = (kind: 'auditor' | 'subsidy_officer', source: string) => ({
      occurredAt: '2021-07-01T09:00:00+08:00',
      actor: { kind, id: `${kind}-1` },
      source,
      region: '130102',
    })
    await h.store.append(`access-${worker}`, [
      toEventToAppend(
        {
          type: 'RecordsExported',
          data: {
            log: worker,
            selection: { kind: 'worker', worker },
            purpose: 'audit',
            checkpointSize: 12,
            events: 7,
            client: 'auditor-1',
            requestId: '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5b',
          },
        },
        meta('auditor', 'trec.audit'),
      ) as EventToAppend,
      toEventToAppend(
        {
          type: 'RecordAccessed',
          data: {
            worker,
            view: 'claim',
            purpose: 'administration',
            client: 'subsidy_officer-1',
            requestId: '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5c',
            found: true,
            flags: [],
          },
        },
        meta('subsidy_officer', 'trec.subsidy'),
      ) as EventToAppend,
    ])
    const response = await h.app.inject({
      method: 'GET',
      url: `/v1/archive/access-log?worker=${worker}`,
      headers: { authorization: `Bearer ${await h.token('auditor')}` },
    })
    expect(response.statusCode, response.body).toBe(200)
    const entries = response.json().items as { type: string; view: string; exported?: unknown }[]
    expect(entries.slice(-2)).toMatchObject([
      { type: 'RecordsExported', view: 'export', exported: { events: 7, checkpointSize: 12 } },
      { type: 'RecordAccessed', view: 'claim' },
    ])
  })

  it("pages by an opaque cursor bound to the worker's log: another worker's cursor, or an edited one, is a 400", async () => {
    const get = async (query: string) =>
      h.app.inject({
        method: 'GET',
        url: `/v1/archive/access-log?${query}`,
        headers: { authorization: `Bearer ${await h.token('auditor')}` },
      })
    // Two reads at least, whether or not the tests above ran.
    await lookup(h, await h.token('cardService'), { cardNumber: card, purpose: 'card_holder_request' })
    await lookup(h, await h.token('cardService'), { cardNumber: card, purpose: 'card_holder_request' })
    const first = (await get(`worker=${worker}&limit=1`)).json()
    expect(first.items).toHaveLength(1)
    expect(first.items[0].revision).toBe(0)
    const second = (
      await get(`worker=${worker}&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json()
    expect(second.items.map((e: { revision: number }) => e.revision)).toEqual([1])
    const other = pseudonymizer.pseudonym(cards[3]!)
    const refusals = [
      `worker=${other}&cursor=${encodeURIComponent(first.nextCursor)}`,
      `worker=${worker}&cursor=${Buffer.from(JSON.stringify({ list: 'access-log', after: [worker, 0] })).toString('base64url')}.${first.nextCursor.split('.')[1]}`,
      `worker=${worker}&fromRevision=1`,
      `worker=${worker}&limit=201`,
    ]
    for (const query of refusals) {
      const refused = await get(query)
      expect(refused.statusCode, query).toBe(400)
      expect(refused.headers['content-type']).toContain('application/problem+json')
    }
  })

  it('is for auditors only', async () => {
    for (const who of ['cardService', 'investigator'] as const) {
      const response = await h.app.inject({
        method: 'GET',
        url: `/v1/archive/access-log?worker=${worker}`,
        headers: { authorization: `Bearer ${await h.token(who)}` },
      })
      expect(response.statusCode).toBe(403)
    }
    const anonymous = await h.app.inject({ method: 'GET', url: `/v1/archive/access-log?worker=${worker}` })
    expect(anonymous.statusCode).toBe(401)
  })
})
