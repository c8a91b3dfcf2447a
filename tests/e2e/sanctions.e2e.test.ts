// Sanctions carried out and enforced, over real HTTP with the read side running (issue 26): an
// investigator decides a delisting against one institution and a suspension against another in
// a case; a subsidy officer carries each out on the institution's record citing the case's
// CaseSanctionDecided. The delisted institution's next class opening, enrolment and claim are
// refused naming the sanction (kind, case, from) and write nothing; its open claim, made before,
// is in the officer's review list, and the review rejects it. The suspended institution is refused
// the same way inside its window (naming from and to), its open claim is reviewed to continue,
// and the day after the window it opens a class and claims again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Answer, Json } from './support/http.ts'
import {
  accepted,
  attendAndComplete,
  card,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  region,
  session,
  trainingClaim,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const delisted = 'inst-130100-0061'
const suspended = 'inst-130100-0062'
const written = ['ClassOpeningApplied', 'WorkerEnrolled', 'SubsidyClaimSubmitted']

describe('sanctions enforced over HTTP', () => {
  let sys: System
  let programme: string
  const classes: Record<string, OpenedClass> = {}
  const later: Record<string, string> = {}
  const open: Record<string, string> = {}
  const decision: Record<string, { case: string; decision: string }> = {}

  /** Nothing a refused command could have written was appended while `act` ran. */
  async function nothingWritten(act: () => Promise<Answer>): Promise<Answer> {
    const before = await sys.store.headPosition()
    const res = await act()
    const after = await sys.store.readAll({ after: before })
    expect(after.filter((e) => written.includes(e.type)).map((e) => e.type)).toEqual([])
    return res
  }

  function refusal(res: Answer, rule: string): Json {
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toContain('application/problem+json')
    const reason = (res.body.reasons as Json[]).find((r) => r.rule === rule)
    expect(reason, res.text).toBeDefined()
    return reason!.details as Json
  }

  async function sanctionIn(c: string, institution: string, sanction: string) {
    const ids = accepted(
      await sys.http.post(`/v1/oversight/cases/${c}/sanctions`, people.investigator, {
        target: { kind: 'institution', id: institution },
        sanction,
        note: sanction === 'delisting' ? '虚假培训，予以清退' : '暂停补贴性培训资格一个月',
      }),
    ).ids as string[]
    return { case: c, decision: ids[0]! }
  }

  const reviewList = async (query = '') =>
    accepted(await sys.http.get(`/v1/sanction-reviews${query}`, people.officer), 200).items as Json[]

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    const { http } = sys
    await designate(http, delisted, '52130100MJ0123456N')
    await designate(http, suspended, '52130100MJ0123456N')
    programme = await publish(http, occupations.electrician)
    for (const [n, inst] of [delisted, suspended].entries()) {
      const cls = await openClass(http, inst, programme, ['2021-04-06', '2021-04-07'])
      classes[inst] = cls
      open[inst] = await enrol(http, cls, card(301 + 2 * n), '2021-03-01T08:40:00+08:00')
      later[inst] = await enrol(http, cls, card(302 + 2 * n), '2021-03-01T08:41:00+08:00')
    }
    sys.clock.now = new Date('2021-04-18T09:00:00+08:00')
    for (const [n, inst] of [delisted, suspended].entries())
      await attendAndComplete(http, classes[inst]!, [open[inst]!, later[inst]!], `dev-fc-006${n}`)
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    for (const inst of [delisted, suspended])
      open[inst] = accepted(
        await http.post('/v1/claims', people.staff(inst), trainingClaim(classes[inst]!, open[inst]!)),
      ).claim as string
    const c = accepted(
      await http.post('/v1/oversight/cases', people.investigator, {
        title: '长安区两家机构虚假培训线索',
        region,
        basis: 'tip_off',
        subjects: [
          { kind: 'institution', id: delisted },
          { kind: 'institution', id: suspended },
        ],
      }),
    ).case as string
    accepted(
      await http.post(`/v1/oversight/cases/${c}/findings`, people.investigator, {
        conclusion: 'irregularity',
        findings: '部分学员未到课，签到记录不实',
      }),
    )
    decision.delisting = await sanctionIn(c, delisted, 'delisting')
    decision.suspension = await sanctionIn(c, suspended, 'suspension')
  })

  afterAll(async () => {
    await sys?.close()
  })

  it('refuses a delisting or suspension that does not cite a matching sanction decision', async () => {
    const wrongKind = await sys.http.post(`/v1/institutions/${delisted}/delisting`, people.officer, {
      reason: 'false_training',
      sanction: decision.suspension,
    })
    expect(refusal(wrongKind, 'sanction-cited')).toMatchObject({ field: 'sanction.decision' })
    const otherTarget = await sys.http.post(`/v1/institutions/${suspended}/suspension`, people.officer, {
      sanction: decision.delisting,
      from: '2021-06-20',
      to: '2021-07-20',
    })
    expect(refusal(otherTarget, 'sanction-cited')).toMatchObject({ field: 'sanction.decision' })
    const noCase = await sys.http.post(`/v1/institutions/${suspended}/suspension`, people.officer, {
      sanction: { ...decision.suspension!, case: 'case-none' },
      from: '2021-06-20',
      to: '2021-07-20',
    })
    expect(refusal(noCase, 'sanction-cited')).toMatchObject({ field: 'sanction.case' })
    const backwards = await sys.http.post(`/v1/institutions/${suspended}/suspension`, people.officer, {
      sanction: decision.suspension,
      from: '2021-07-20',
      to: '2021-06-20',
    })
    expect(backwards.status).toBe(400)
    expect(await sys.store.streamRevision(`institution-${suspended}`)).toBe(0)
  })

  it('refuses a delisted institution’s opening, enrolment and claim citing the sanction, and writes nothing', async () => {
    const { http } = sys
    accepted(
      await http.post(`/v1/institutions/${delisted}/delisting`, people.officer, {
        reason: 'false_training',
        note: '虚假培训',
        effectiveFrom: '2021-06-16',
        sanction: decision.delisting,
      }),
    )
    sys.clock.now = new Date('2021-06-16T10:00:00+08:00')
    const cited = { sanction: 'delisting', case: decision.delisting!.case, from: '2021-06-16' }
    const staff = people.staff(delisted)
    const opening = await nothingWritten(() =>
      http.post('/v1/classes', staff, {
        institution: delisted,
        programme,
        mode: 'offline',
        plannedHours: 3.5,
        capacity: 30,
        sessions: [session('2021-07-06')],
        teachers: [{ teacher: 'tch-130100-1187' }],
      }),
    )
    expect(refusal(opening, 'institution-delisted')).toMatchObject(cited)
    const enrolment = await nothingWritten(() =>
      http.post(`/v1/classes/${classes[delisted]!.id}/enrolments`, staff, {
        cardNumber: card(309),
        name: '李四',
        phone: '13912345679',
        identity: {
          method: 'ssc_platform',
          platform: 'ssc-national',
          platformRef: 'SSCP-delisted-0309',
          result: 'passed',
          verifiedAt: '2021-06-16T09:50:00+08:00',
        },
      }),
    )
    expect(refusal(enrolment, 'institution-delisted')).toMatchObject(cited)
    const claim = await nothingWritten(() =>
      http.post('/v1/claims', staff, trainingClaim(classes[delisted]!, later[delisted]!)),
    )
    expect(refusal(claim, 'institution-delisted')).toMatchObject(cited)
    const shown = accepted(await http.get(`/v1/institutions/${delisted}`, staff), 200)
    expect(shown).toMatchObject({ standing: 'delisted', delisting: { sanction: decision.delisting } })
  })

  it('lists the delisted institution’s open claim for review, and the review rejects it', async () => {
    const item = await vi.waitFor(
      async () => {
        const found = (await reviewList()).find((i) => i.claim === open[delisted])
        expect(found).toBeDefined()
        return found!
      },
      { timeout: 30_000, interval: 250 },
    )
    expect(item).toMatchObject({
      institution: delisted,
      status: 'submitted',
      sanction: { kind: 'delisting', from: '2021-06-16', to: null, case: decision.delisting!.case },
      review: 'pending',
    })
    const other = await sys.http.get('/v1/sanction-reviews?region=1302', people.officer)
    expect(accepted(other, 200).items).toEqual([])
    accepted(
      await sys.http.post(`/v1/claims/${open[delisted]}/sanction-review`, people.officer, {
        outcome: 'reject',
        note: '机构已清退，培训记录不实',
      }),
    )
    await vi.waitFor(
      async () => expect((await reviewList()).map((i) => i.claim)).not.toContain(open[delisted]),
      { timeout: 30_000, interval: 250 },
    )
    const read = accepted(await sys.http.get(`/v1/claims/${open[delisted]}`, people.officer), 200)
    expect(read.status).toBe('rejected')
  })

  it('refuses a suspended institution inside its window naming from and to, and opens again after it', async () => {
    const { http } = sys
    accepted(
      await http.post(`/v1/institutions/${suspended}/suspension`, people.officer, {
        sanction: decision.suspension,
        from: '2021-06-20',
        to: '2021-07-20',
        note: '暂停一个月',
      }),
    )
    sys.clock.now = new Date('2021-06-25T10:00:00+08:00')
    const cited = {
      sanction: 'suspension',
      case: decision.suspension!.case,
      decision: decision.suspension!.decision,
      from: '2021-06-20',
      to: '2021-07-20',
    }
    const staff = people.staff(suspended)
    const application = (day: string) => ({
      institution: suspended,
      programme,
      mode: 'offline',
      plannedHours: 3.5,
      capacity: 30,
      sessions: [session(day)],
      teachers: [{ teacher: 'tch-130100-1187' }],
    })
    expect(
      refusal(
        await nothingWritten(() => http.post('/v1/classes', staff, application('2021-08-03'))),
        'institution-suspended',
      ),
    ).toMatchObject(cited)
    const enrolment = await nothingWritten(() =>
      http.post(`/v1/classes/${classes[suspended]!.id}/enrolments`, staff, {
        cardNumber: card(310),
        name: '王五',
        phone: '13912345670',
        identity: {
          method: 'ssc_platform',
          platform: 'ssc-national',
          platformRef: 'SSCP-suspended-0310',
          result: 'passed',
          verifiedAt: '2021-06-25T09:50:00+08:00',
        },
      }),
    )
    expect(refusal(enrolment, 'institution-suspended')).toMatchObject(cited)
    const claim = await nothingWritten(() =>
      http.post('/v1/claims', staff, trainingClaim(classes[suspended]!, later[suspended]!)),
    )
    expect(refusal(claim, 'institution-suspended')).toMatchObject({ ...cited, institution: suspended })
    const shown = accepted(await http.get(`/v1/institutions/${suspended}`, staff), 200)
    expect(shown).toMatchObject({ standing: 'designated', suspendedToday: true })

    const item = await vi.waitFor(
      async () => {
        const found = (await reviewList()).find((i) => i.claim === open[suspended])
        expect(found).toBeDefined()
        return found!
      },
      { timeout: 30_000, interval: 250 },
    )
    expect(item.sanction).toEqual({
      kind: 'suspension',
      from: '2021-06-20',
      to: '2021-07-20',
      case: cited.case,
    })
    accepted(
      await http.post(`/v1/claims/${open[suspended]}/sanction-review`, people.officer, {
        outcome: 'continue',
        note: '培训在暂停前已完成，经核查属实',
      }),
    )
    await vi.waitFor(
      async () => {
        const all = await reviewList('?reviewed=true')
        expect(all.find((i) => i.claim === open[suspended])?.review).toBe('continue')
      },
      { timeout: 30_000, interval: 250 },
    )

    sys.clock.now = new Date('2021-07-21T10:00:00+08:00')
    accepted(await http.post('/v1/classes', staff, application('2021-08-03')))
    accepted(await http.post('/v1/claims', staff, trainingClaim(classes[suspended]!, later[suspended]!)))
  })
})
