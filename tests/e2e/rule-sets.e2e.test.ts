// Subsidy rule sets as events, over real HTTP with real JWTs on the embedded start (`npm start`'s
// configuration on a fresh data directory): the shipped sets are published on first start, so a
// class completed this week is claimed and paid today under 石家庄's set with no other step; a
// restart publishes nothing again. Then an officer runs the rules: publishes a county's set, a
// claim is paid under it, an amendment takes effect tomorrow and decides the claims made from
// then on while the earlier payment keeps citing version 1; overlapping and absurd sets are
// refused with nothing written; an audit export of the region holds the rulebook events and the
// payments, with inclusion proofs, showing which version each payment was decided under.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import { at, day } from './support/china-days.ts'
import { eventually } from './support/eventually.ts'
import type { Json } from './support/http.ts'
import {
  accepted,
  attendAndComplete,
  card,
  certify,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  trainingClaim,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

/** The calendar day in China `offset` days from the real today. */
const today = day(0)
const inst = 'inst-130100-0142'
const officer = people.officer // 石家庄 (1301)
const auditor = { sub: 'auditor-1', role: 'auditor' } as const

/** A county set for 长安区 (130102): a training ceiling, the rest as the city does it. */
function changanSet(perPerson: number, validFrom: string) {
  return {
    id: 'changan-2026',
    title: '长安区 职业技能培训补贴',
    region: '130102',
    validFrom,
    validTo: '2027-12-31',
    source: 'A test county standard (not from the seeds; set by the region).',
    shortageOccupations: { source: 'none listed', codes: [] },
    kinds: {
      training: {
        source: 'the county’s ceiling',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
      },
    },
    practice: { source: 'NOT IN SEEDS', minAttendanceShare: 0.8, countFaceChecks: true },
  }
}

describe('subsidy rule sets as events, on the embedded start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-rules-e2e-'))
  const clock = { now: at(day(-6)) }
  let sys: StartedSystem
  let cls: OpenedClass
  const w: Record<'a' | 'b' | 'c', string> = {} as never
  const paid: Record<string, string> = {}

  const events = (stream: string) => sys.store.readStream(stream)
  const rulebookRevisions = async () =>
    Promise.all(['rulebook-13', 'rulebook-23'].map((s) => sys.store.streamRevision(s)))

  /** Review, approval and payment of a claim; answers the SubsidyPaid event's data. */
  async function payThrough(claim: string, ref: string): Promise<Json> {
    accepted(await sys.http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await sys.http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
    const answer = accepted(
      await sys.http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: ref }),
    )
    paid[claim] = answer.ids[0]
    const worker = claim.split('-')[1]!
    return (await events(`subsidy-${worker}`)).find((e) => e.id === answer.ids[0])!.data as Json
  }

  /**
   * The command is refused with `status` and problem+json, and nothing is appended. The read side
   * is let catch up first: its detectors append alerts of their own (R13 on the investigator's
   * read of the claim above), whenever they come to it.
   */
  async function refusedWith(status: number, send: () => ReturnType<StartedSystem['http']['post']>) {
    await caughtUp(sys)
    const before = await sys.store.lastPosition()
    const res = await send()
    expect(res.status, res.text).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.lastPosition()).toBe(before)
    return res.body
  }

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const { http } = sys
    // A week ago: designation, the catalogue entry, 开班 and enrolments; sessions four and three days ago.
    await designate(http, inst, '52130100MJ0123456N')
    const programme = await publish(http, occupations.electrician, day(-30), day(60))
    cls = await openClass(http, inst, programme, [day(-4), day(-3)])
    for (const [name, seq] of [
      ['a', 301],
      ['b', 302],
      ['c', 303],
    ] as const)
      w[name] = await enrol(http, cls, card(seq), `${day(-6)}T08:40:00+08:00`)
    clock.now = at(day(-2))
    await attendAndComplete(http, cls, Object.values(w), 'dev-fc-rules-1')
    await certify(http, w.a, occupations.electrician, 'S0130000092139001', {
      assessedOn: day(-2),
      issuedOn: day(-2),
      class: cls.id,
    })
    clock.now = at(today, '10:00')
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('publishes the shipped sets on first start, as the system, through the current year and the next', async () => {
    const shipped = (await events('rulebook-13')).map(
      (e) => e.data as { ruleSet: { id: string; validTo: string } },
    )
    expect(shipped.map((d) => d.ruleSet.id)).toEqual(['sjz-2019', 'hebei-2026', 'sjz-2026'])
    const hlj = (await events('rulebook-23')).map((e) => (e.data as { ruleSet: { id: string } }).ruleSet.id)
    expect(hlj).toEqual(['hlj-2022', 'hlj-2026'])
    for (const e of [...(await events('rulebook-13')), ...(await events('rulebook-23'))])
      expect(e.metadata).toMatchObject({ actor: { kind: 'system', id: 'trec-shipped-rules' } })
    const inForce = accepted(
      await sys.http.get(`/v1/rule-sets/in-force?region=130102&date=${today}`, officer),
      200,
    )
    expect(inForce.ruleSet).toMatchObject({ id: 'sjz-2026', version: 1, validTo: '2027-12-31' })
    const province = accepted(
      await sys.http.get(`/v1/rule-sets/in-force?region=130600&date=${today}`, officer),
      200,
    )
    expect(province.ruleSet).toMatchObject({ id: 'hebei-2026', version: 1 })
  })

  it('pays a claim made today for a class completed this week under the shipped 石家庄 set, citing its version', async () => {
    const claim = accepted(
      await sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, w.a)),
    ).claim
    const payment = await payThrough(claim, 'FIN-RULES-0001')
    expect(payment).toMatchObject({ claim, amount: 220_000, ruleSet: { id: 'sjz-2026', version: 1 } })
    const view = accepted(await sys.http.get(`/v1/claims/${claim}`, people.investigator), 200)
    expect(view).toMatchObject({ status: 'paid', claimedOn: today, ruleSet: { id: 'sjz-2026', version: 1 } })
  })

  it('publishes nothing again on a restart of the same data directory', async () => {
    const before = await rulebookRevisions()
    await sys.close()
    sys = await startedSystem(dataDir, clock)
    expect(await rulebookRevisions()).toEqual(before)
  })

  it('decides a claim under a set an officer publishes, and refuses an overlapping or absurd set writing nothing', async () => {
    const published = accepted(await sys.http.post('/v1/rule-sets', officer, changanSet(300_000, day(-1))))
    expect(published.ruleSet).toEqual({ id: 'changan-2026', version: 1 })

    const overlap = await refusedWith(409, () =>
      sys.http.post('/v1/rule-sets', officer, { ...changanSet(200_000, day(30)), id: 'changan-dup' }),
    )
    expect(overlap).toMatchObject({
      code: 'TREC_RULE_SET_CONFLICT',
      other: { id: 'changan-2026', version: 1 },
      kinds: ['training'],
    })
    const absurd = (patch: (s: ReturnType<typeof changanSet>) => unknown) =>
      refusedWith(400, () =>
        sys.http.post('/v1/rule-sets', officer, patch({ ...changanSet(1, day(0)), id: 'changan-bad' })),
      )
    const paths = async (patch: (s: ReturnType<typeof changanSet>) => unknown) =>
      ((await absurd(patch)).errors as { path: (string | number)[] }[]).map((i) => i.path.join('.'))
    expect(
      await paths((s) => ({
        ...s,
        kinds: { training: { ...s.kinds.training, amount: { basis: 'cap', perPerson: -5 } } },
      })),
    ).toEqual(['body.kinds.training.amount.perPerson'])
    expect(
      await paths((s) => ({
        ...s,
        kinds: { training: { ...s.kinds.training, amount: { basis: 'cap', perPerson: 0 } } },
      })),
    ).toEqual(['body.kinds.training.amount.perPerson'])
    expect(await paths((s) => ({ ...s, advance: { source: 'D3', minShare: 1.5 } }))).toEqual([
      'body.advance.minShare',
    ])
    expect(await paths((s) => ({ ...s, validTo: '2020-01-01' }))).toEqual(['body.validTo'])
    // Caps of zero, shares above 1, negative figures elsewhere in the set, and target groups named twice.
    expect(
      await paths((s) => ({ ...s, practice: { ...s.practice, yearlyCap: { max: 0, kinds: ['training'] } } })),
    ).toEqual(['body.practice.yearlyCap.max'])
    expect(
      await paths((s) => ({ ...s, kinds: { training: { ...s.kinds.training, perPersonPerYear: 0 } } })),
    ).toEqual(['body.kinds.training.perPersonPerYear'])
    expect(await paths((s) => ({ ...s, advance: { source: 'D3', minShare: 0.5, share: 1.2 } }))).toEqual([
      'body.advance.share',
    ])
    expect(await paths((s) => ({ ...s, practice: { ...s.practice, minAttendanceShare: 1.5 } }))).toEqual([
      'body.practice.minAttendanceShare',
    ])
    expect(
      await paths((s) => ({
        ...s,
        kinds: {
          training: { ...s.kinds.training, amount: { basis: 'cap', perPerson: 1, shortagePerPerson: -1 } },
        },
      })),
    ).toEqual(['body.kinds.training.amount.shortagePerPerson'])
    expect(
      await paths((s) => ({
        ...s,
        kinds: {
          training: {
            ...s.kinds.training,
            groups: {
              source: 'TEST',
              accepted: [
                { group: 'unemployed', evidence: '就业失业登记' },
                { group: 'unemployed', evidence: '就业失业登记' },
              ],
            },
          },
        },
      })),
    ).toEqual(['body.kinds.training.groups.accepted'])
    // An officer of another city may not publish for 长安区.
    await refusedWith(403, () =>
      sys.http.post(
        '/v1/rule-sets',
        { ...officer, sub: 'officer-bd', region: '1306' },
        changanSet(1, day(0)),
      ),
    )

    const claim = accepted(
      await sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, w.b, 220_000)),
    ).claim
    expect(await payThrough(claim, 'FIN-RULES-0002')).toMatchObject({
      amount: 220_000,
      ruleSet: { id: 'changan-2026', version: 1 },
    })
  })

  it('applies an amendment from its date on, while the earlier payment keeps citing version 1', async () => {
    const tomorrow = day(1)
    const retroactive = await refusedWith(422, () =>
      sys.http.post('/v1/rule-sets/changan-2026/versions', officer, {
        reason: '下调补贴标准',
        ruleSet: changanSet(250_000, day(-1)),
      }),
    )
    expect(retroactive.reasons.map((r: { rule: string }) => r.rule)).toEqual(['amendment-effective-date'])
    const amended = accepted(
      await sys.http.post('/v1/rule-sets/changan-2026/versions', officer, {
        reason: '下调补贴标准',
        ruleSet: changanSet(200_000, tomorrow),
      }),
    )
    expect(amended.ruleSet).toEqual({ id: 'changan-2026', version: 2 })

    const now = accepted(
      await sys.http.get(`/v1/rule-sets/in-force?region=130102&date=${today}`, auditor),
      200,
    )
    expect(now.ruleSet).toMatchObject({ id: 'changan-2026', version: 1, validTo: today })
    const then = accepted(
      await sys.http.get(`/v1/rule-sets/in-force?region=130102&date=${tomorrow}`, auditor),
      200,
    )
    expect(then.ruleSet).toMatchObject({ id: 'changan-2026', version: 2, validFrom: tomorrow })
    expect(then.events.map((e: { type: string }) => e.type)).toEqual(['SubsidyRuleSetAmended'])
    expect(now.events.map((e: { type: string }) => e.type)).toEqual([
      'SubsidyRuleSetPublished',
      'SubsidyRuleSetAmended',
    ])

    clock.now = at(tomorrow, '10:00')
    const over = await refusedWith(422, () =>
      sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, w.c, 220_000)),
    )
    expect(over.reasons.find((r: { rule: string }) => r.rule === 'amount-standard')).toMatchObject({
      ruleSet: { id: 'changan-2026', version: 2 },
    })
    const claim = accepted(
      await sys.http.post('/v1/claims', people.staff(inst), trainingClaim(cls, w.c, 200_000)),
    ).claim
    expect(await payThrough(claim, 'FIN-RULES-0003')).toMatchObject({
      amount: 200_000,
      ruleSet: { id: 'changan-2026', version: 2 },
    })
    const earlier = (await events(`subsidy-${w.b}`)).find((e) => e.type === 'SubsidyPaid')!
    expect(earlier.data).toMatchObject({ ruleSet: { id: 'changan-2026', version: 1 } })
  })

  it('shows compliance backing every payment by the version it cites, officer-published sets included', async () => {
    // The compliance projection follows the feed: wait for it to hold the three payments.
    type Row = { payment: string; backed: boolean; reasons: unknown[]; ruleSet: Json }
    const ours = await eventually('compliance to hold the payments', async () => {
      const res = await sys.http.get('/v1/compliance/payments', auditor)
      const rows = res.status === 200 ? (res.body.items as Row[]) : []
      const mine = rows.filter((r) => Object.values(paid).includes(r.payment))
      return mine.length === Object.keys(paid).length ? mine : undefined
    })
    for (const r of ours) expect(r, JSON.stringify(r.reasons)).toMatchObject({ backed: true, reasons: [] })
    expect(ours.map((r) => `${r.ruleSet.id}@${r.ruleSet.version}`).sort()).toEqual([
      'changan-2026@1',
      'changan-2026@2',
      'sjz-2026@1',
    ])
  })

  it('exports the region with proofs: the rulebook events and the payments that cite their versions', async () => {
    const from = `${day(-7)}T00:00:00+08:00`
    const to = `${day(3)}T00:00:00+08:00`
    const url = `/v1/audit/exports/regions/1301?purpose=audit&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const wanted = new Set(['SubsidyRuleSetPublished', 'SubsidyRuleSetAmended', 'SubsidyPaid'])
    // The notary checkpoints about every second: wait for one that covers the last payment.
    type Line = { event: { id: string; type: string; data: Json }; proof: string[] }
    const lines = await eventually('a checkpoint that covers the payments', async () => {
      const res = await sys.http.get(url, auditor)
      if (res.status !== 200) return undefined
      const all: Line[] = res.text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l))
      return Object.values(paid).every((id) => all.some((l) => l.event.id === id)) ? all : undefined
    })
    const rules = lines.filter((l) => wanted.has(l.event.type))
    const published = rules.find(
      (l) => l.event.type === 'SubsidyRuleSetPublished' && l.event.data.ruleSet.id === 'changan-2026',
    )!
    const amendment = rules.find((l) => l.event.type === 'SubsidyRuleSetAmended')!
    expect(published.event.data.ruleSet).toMatchObject({ version: 1, validFrom: day(-1) })
    expect(amendment.event.data.ruleSet).toMatchObject({ version: 2, validFrom: day(1) })
    const cited = rules
      .filter((l) => l.event.type === 'SubsidyPaid')
      .map((l) => `${l.event.data.ruleSet.id}@${l.event.data.ruleSet.version}`)
      .sort()
    expect(cited).toEqual(['changan-2026@1', 'changan-2026@2', 'sjz-2026@1'])
    for (const l of rules) expect(Array.isArray(l.proof)).toBe(true)
  })
})
