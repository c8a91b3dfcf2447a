import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { designate, designation, programmeBody, publish } from './flows.ts'
import { type Harness, harness, people } from './harness.ts'

describe('institutions and the catalogue over HTTP', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.close())

  it('designates an institution, with who, when and where in the envelope', async () => {
    const res = await h.post('/v1/institutions', people.officer, { ...designation, institution: 'inst-a' })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ institution: 'inst-a', revision: 0 })
    const [event] = await h.store.readStream('institution-inst-a')
    expect(event!.id).toBe(res.json().ids[0])
    expect(event!.metadata).toMatchObject({
      actor: { kind: 'subsidy_officer', id: 'officer-7' },
      source: 'trec.training',
      region: '130102',
      occurredAt: '2024-04-01T01:00:00.000Z',
    })
  })

  it('refuses a designation outside the officer’s region (403) and a second one (422)', async () => {
    const foreign = await h.post('/v1/institutions', people.otherOfficer, {
      ...designation,
      institution: 'inst-b',
    })
    expect([foreign.statusCode, foreign.json().reason]).toEqual([403, 'another region'])
    const again = await h.post('/v1/institutions', people.admin, { ...designation, institution: 'inst-a' })
    expect(again.statusCode).toBe(422)
    expect(again.json().reasons.map((r: { rule: string }) => r.rule)).toEqual([
      'institution-already-designated',
    ])
  })

  it('answers an invalid designation 400 naming each field, appending nothing', async () => {
    const before = await h.store.lastPosition()
    const res = await h.post('/v1/institutions', people.admin, {
      ...designation,
      institution: 'inst-c',
      uscc: '52130100MJ0123456P',
      kinds: [],
      surprise: 1,
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const paths = res.json().errors.map((e: { path: unknown[] }) => e.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['body.uscc', 'body.kinds', 'body.surprise']))
    expect(await h.store.lastPosition()).toBe(before)
  })

  it('shows an institution to any caller, and 404 for one never designated', async () => {
    const res = await h.get('/v1/institutions/inst-a', people.cardService)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      institution: 'inst-a',
      standing: 'designated',
      designatedFrom: '2024-03-01',
    })
    expect((await h.get('/v1/institutions/inst-none', people.staff)).statusCode).toBe(404)
  })

  it('delists (清退) by an officer of the region, effective today by default', async () => {
    expect(
      (await h.post('/v1/institutions/inst-a/delisting', people.otherOfficer, { reason: 'false_training' }))
        .statusCode,
    ).toBe(403)
    const res = await h.post('/v1/institutions/inst-a/delisting', people.officer, {
      reason: 'false_training',
    })
    expect(res.statusCode).toBe(201)
    const shown = (await h.get('/v1/institutions/inst-a', people.staff)).json()
    expect(shown).toMatchObject({
      standing: 'delisted',
      delisting: { reason: 'false_training', effectiveFrom: '2024-04-01' },
    })
    const twice = await h.post('/v1/institutions/inst-a/delisting', people.officer, { reason: 'other' })
    expect(twice.json().reasons[0].rule).toBe('institution-delisted')
    expect(
      (await h.post('/v1/institutions/inst-none/delisting', people.officer, { reason: 'other' })).statusCode,
    ).toBe(404)
  })

  it('answers a retried designation with the first answer and appends once', async () => {
    const body = { ...designation, institution: 'inst-r' }
    const first = await h.post('/v1/institutions', people.admin, body, 'designate-inst-r')
    const head = await h.store.lastPosition()
    const second = await h.post('/v1/institutions', people.admin, body, 'designate-inst-r')
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(await h.store.lastPosition()).toBe(head)
  })

  it('publishes programmes and refuses one whose validity overlaps the same entry', async () => {
    const programme = await publish(h)
    expect(programme).toMatch(/^prog-/)
    const overlapping = await h.post('/v1/programmes', people.officer, {
      ...programmeBody,
      effectiveFrom: '2024-06-01',
    })
    expect(overlapping.statusCode).toBe(422)
    expect(overlapping.json().reasons[0]).toMatchObject({
      rule: 'programme-validity-overlap',
      details: { programme },
    })
    const listed = (await h.get('/v1/catalogue/130100', people.staff)).json()
    expect(listed.programmes.map((p: { programme: string }) => p.programme)).toEqual([programme])
  })

  it('publishes only in the officer’s region, and refuses a validity that ends before it starts', async () => {
    const foreign = await h.post('/v1/programmes', people.otherOfficer, programmeBody)
    expect(foreign.statusCode).toBe(403)
    const reversed = await h.post('/v1/programmes', people.officer, {
      ...programmeBody,
      effectiveTo: '2023-12-31',
    })
    expect(reversed.statusCode).toBe(400)
    expect(reversed.json().errors[0].path).toEqual(['body', 'effectiveTo'])
  })

  it('answers a programme retried with one key with the same programme id', async () => {
    const body = { ...programmeBody, subsidyKind: 'skill_upgrade' }
    const first = await h.post('/v1/programmes', people.officer, body, 'publish-su')
    const second = await h.post('/v1/programmes', people.officer, body, 'publish-su')
    expect(second.json()).toEqual(first.json())
  })

  it('keeps the catalogue of each region apart', async () => {
    await designate(h, { institution: 'inst-d' })
    expect((await h.get('/v1/catalogue/130200', people.staff)).json().programmes).toEqual([])
  })
})
