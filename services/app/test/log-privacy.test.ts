// Personal data and credentials never reach a log line (docs/architecture.md "Identity and personal
// data"): a whole scenario runs through the composed app at debug level, every line is kept,
// and none holds a card number, a name, a phone number or a bearer token.
import { cardNumberCheckCharacter, findCardNumbers, isCardNumber } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppHarness, appHarness, application, designation, people, programme } from './harness.ts'

/** A valid GB 11643 number of someone born 1990-03-07 in 130102, by sequence 100–999. */
const card = (sequence: number) => {
  const first17 = `13010219900307${String(sequence).padStart(3, '0')}`
  return first17 + cardNumberCheckCharacter(first17)
}

/**
 * Every valid 18-character card number in a line: the scanner the logger itself uses, and
 * also every 18-character window of digits wherever it stands (glued to letters too), so that a
 * number the logger's scanner would miss is still caught here.
 */
function cardsIn(line: string): string[] {
  const found = findCardNumbers(line).map(([s, e]) => line.slice(s, e))
  for (const m of line.matchAll(/(?=([0-9]{17}[0-9Xx]))/g)) if (isCardNumber(m[1]!)) found.push(m[1]!)
  return found
}

const workers = [
  { cardNumber: card(201), name: '王秀英', phone: '13912340001' },
  { cardNumber: card(202), name: '刘建军', phone: '13912340002' },
  { cardNumber: card(203), name: '陈桂兰', phone: '13912340003' },
  { cardNumber: card(204), name: '赵德明', phone: '15830110004' },
]
const refused = { cardNumber: card(205), name: '孙丽娟', phone: '18631150005' }

const identity = (ref: string, result: 'passed' | 'failed' = 'passed') => ({
  method: 'ssc_platform',
  platform: 'ssc-national',
  platformRef: `SSCP-${ref}`,
  result,
  ...(result === 'failed' ? { failure: 'not_found' } : {}),
  verifiedAt: '2024-04-01T08:30:00+08:00',
})

describe('logs during a full scenario at debug level', () => {
  let h: AppHarness
  const statuses: number[] = []
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'debug' })
    const expect201 = async (res: { statusCode: number; body: string }) => {
      expect(res.statusCode, res.body).toBe(201)
      return JSON.parse(res.body)
    }
    await expect201(await h.post('/v1/institutions', people.admin, designation))
    const { programme: programmeId } = await expect201(
      await h.post('/v1/programmes', people.officer, programme),
    )
    const { class: classId } = await expect201(
      await h.post('/v1/classes', people.staff, application(programmeId)),
    )
    await expect201(await h.post(`/v1/classes/${classId}/review`, people.officer, { outcome: 'passed' }))
    await expect201(await h.post(`/v1/classes/${classId}/opening`, people.staff, {}))
    const enrol = `/v1/classes/${classId}/enrolments`
    for (const [i, w] of workers.entries())
      await expect201(await h.post(enrol, people.staff, { ...w, identity: identity(`W${i}`) }))
    const attempts = [
      // Enrolled twice: refused by a rule.
      h.post(enrol, people.staff, { ...workers[0], identity: identity('W0-again') }),
      // Another institution's staff.
      h.post(enrol, people.otherStaff, { ...refused, identity: identity('R1') }),
      // The real-name check failed: recorded, refused 422.
      h.post(enrol, people.staff, { ...refused, identity: identity('R2', 'failed') }),
      // A wrong check digit.
      h.post(enrol, people.staff, {
        ...refused,
        cardNumber: `${refused.cardNumber.slice(0, 17)}${refused.cardNumber.endsWith('1') ? '2' : '1'}`,
        identity: identity('R3'),
      }),
      // An invalid body with the card number, name and phone where they do not belong.
      h.post(enrol, people.staff, {
        cardNumber: 42,
        name: refused.cardNumber,
        phone: { n: refused.phone },
        note: refused.name,
      }),
      // Not JSON at all, with personal data inside.
      h.app.inject({
        method: 'POST',
        url: enrol,
        headers: {
          authorization: `Bearer ${await h.tokens.mint(people.staff)}`,
          'content-type': 'application/json',
        },
        payload: `{"cardNumber":"${refused.cardNumber}","name":"${refused.name}","phone":"${refused.phone}"`,
      }),
      // No token, a forged token, and a token in the query string.
      h.post(enrol, undefined, { ...refused, identity: identity('R4') }),
      h.app.inject({
        method: 'POST',
        url: enrol,
        headers: { authorization: `Bearer ${(await h.tokens.bad(people.staff))['wrong key']}` },
        payload: { ...refused, identity: identity('R5') },
      }),
      h.app.inject({
        method: 'GET',
        url: `/v1/classes/${classId}?access_token=${await h.tokens.mint(people.staff)}`,
      }),
      // A card number typed into a URL path and a query: both refused 400 (a query is screened
      // for card numbers like any client-filled field).
      h.get(`/v1/institutions/${refused.cardNumber}`, people.staff),
      h.get(`/v1/classes/${classId}?card=${refused.cardNumber}`, people.staff),
    ]
    for (const attempt of attempts) statuses.push((await attempt).statusCode)
  })
  afterAll(() => h.close())

  it('ran the scenario: every refusal was refused, and the log has a line for each request', () => {
    expect(statuses).toEqual([422, 403, 422, 400, 400, 400, 401, 401, 401, 400, 400])
    const urls = h.lines.filter((l) => l.includes('"incoming request"'))
    expect(urls.length).toBeGreaterThanOrEqual(5 + workers.length + statuses.length)
    expect(h.app.log.level).toBe('debug')
    // The redactions happened: a card number, a token in a URL, the Authorization header.
    for (const mark of ['[card]', '[token]']) expect(h.lines.some((l) => l.includes(mark))).toBe(true)
  })

  it('the scanner used here finds a card number, a name and a token when one is there', () => {
    expect(cardsIn(`x ${refused.cardNumber} y`)).toEqual([refused.cardNumber, refused.cardNumber])
    expect(cardsIn(`id${refused.cardNumber}`)).toEqual([refused.cardNumber])
    expect(cardsIn('pseudonym 3f2a9c0e7b1d4a56')).toEqual([])
  })

  it('holds no card number in any line', () => {
    const leaks = h.lines.flatMap((line) => cardsIn(line).map((c) => ({ c, line })))
    expect(leaks).toEqual([])
  })

  it('holds none of the names and phone numbers used', () => {
    const secrets = [...workers, refused].flatMap((w) => [w.name, w.phone])
    const leaks = h.lines.filter((line) => secrets.some((s) => line.includes(s)))
    expect(leaks).toEqual([])
  })

  it('holds no bearer token, whole or in part', () => {
    const tokens = h.minted()
    expect(tokens.length).toBeGreaterThanOrEqual(4)
    // The signature part alone would be enough to replay nothing, but no part belongs in a log.
    const parts = tokens.flatMap((t) => t.split('.').filter((p) => p.length > 16))
    const leaks = h.lines.filter((line) => parts.some((p) => line.includes(p)) || /eyJ[\w-]{8,}\./.test(line))
    expect(leaks).toEqual([])
  })
})
