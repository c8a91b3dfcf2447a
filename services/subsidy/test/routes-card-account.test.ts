import { cardNumberCheckCharacter, createPseudonymizer } from '@trec/privacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, harness, pseudonymSecret } from './harness.ts'

// 持卡领补 (D3): the card service registers the account of a worker's social-security card; the
// number is sealed under the worker's key at once and never stored or answered in clear.

const body17 = '13010219900307123'
const cardNumber = body17 + cardNumberCheckCharacter(body17)
const worker = createPseudonymizer(pseudonymSecret).pseudonym(cardNumber)
const account = '6217000130000123456'

describe('POST /v1/card-accounts', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.close())

  const post = async (claims: Parameters<Harness['token']>[0], payload: object) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/card-accounts',
      headers: { authorization: `Bearer ${await h.token(claims)}` },
      payload,
    })
  const body = {
    cardNumber,
    bankAccount: account,
    bank: 'ICBC',
    source: { system: 'hebei-ssc', ref: 'REG-7' },
  }

  it('registers the card’s account sealed under the worker’s key, naming the worker by pseudonym', async () => {
    const res = await post({ sub: 'ssc-13', role: 'card_service', region: '13' }, body)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().worker).toBe(worker)
    expect(res.body).not.toContain(account)
    const [event] = await h.store.readStream(`subsidy-${worker}`)
    expect(event?.type).toBe('CardAccountRegistered')
    expect(JSON.stringify(event!.data)).not.toContain(account)
    expect(JSON.stringify(event!.data)).not.toContain(cardNumber)
    const sealed = (event!.data as { account: { bankAccount: unknown } }).account.bankAccount
    expect(await h.keyRing.open(sealed, 'account.bankAccount', worker)).toBe(account)
  })

  it('refuses a card platform of another region, other roles and a malformed account, writing nothing', async () => {
    const before = await h.store.lastPosition()
    const elsewhere = await post({ sub: 'ssc-44', role: 'card_service', region: '44' }, body)
    expect(elsewhere.statusCode).toBe(403)
    const staff = await post(
      { sub: 'staff-1', role: 'institution_staff', institution: 'inst-130100-0042' },
      body,
    )
    expect(staff.statusCode).toBe(403)
    const finance = await post({ sub: 'finance-1', role: 'finance', region: '1301' }, body)
    expect(finance.statusCode).toBe(403)
    const bad = await post(
      { sub: 'ssc-13', role: 'card_service', region: '13' },
      { ...body, bankAccount: '62-17' },
    )
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toEqual(['body', 'bankAccount'])
    expect(await h.store.lastPosition()).toBe(before)
  })
})
