// Publication before payment (公示, NOT IN SEEDS), over real HTTP on the embedded start: an officer
// of 长安区 publishes a set whose practice publishes approved claims for 5 days. Two workers'
// training claims are approved and published (names masked in the public list); payment is
// refused during the period naming the day it ends; an objection holds a claim until an officer
// rules: dismissed → paid once the period has passed (the test clock moves); upheld → rejected.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { at, day } from './support/china-days.ts'
import type { Json } from './support/http.ts'
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
  trainingClaim,
} from './support/record.ts'
import { type StartedSystem, startedSystem } from './support/started.ts'

const inst = 'inst-130100-0266'
const officer = people.officer

function publicationSet() {
  return {
    id: 'changan-publication',
    title: '长安区 培训补贴 (公示)',
    region: '130102',
    validFrom: day(-1),
    validTo: '2027-12-31',
    source: 'A test county standard (not from the seeds; set by the region).',
    shortageOccupations: { source: 'none listed', codes: [] },
    kinds: {
      training: {
        source: 'the county’s ceiling (not from the seeds; set by the region)',
        payees: ['provider'],
        amount: { basis: 'cap', perPerson: 200_000 },
        requires: { enrolment: true, attendance: true, completion: true, certificate: false },
      },
    },
    practice: { source: 'NOT IN SEEDS: 公示 before payment, national practice', publicationDays: 5 },
  }
}

type Reason = { rule: string; details: Json }

describe('publication before payment (公示): published, held by an objection, ruled on, paid after the period', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trec-publication-e2e-'))
  const clock = { now: at(day(-6)) }
  let sys: StartedSystem
  let cls: OpenedClass
  let workers: string[]
  const claims: string[] = []

  async function refusedWith(send: () => ReturnType<StartedSystem['http']['post']>) {
    const before = await sys.store.lastPosition()
    const res = await send()
    expect(res.status, res.text).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sys.store.lastPosition()).toBe(before)
    return res.body.reasons as Reason[]
  }
  const pay = (claim: string, ref: string) =>
    sys.http.post(`/v1/claims/${claim}/payment`, people.finance, { paymentRef: ref })

  beforeAll(async () => {
    sys = await startedSystem(dataDir, clock)
    const { http } = sys
    await designate(http, inst, '52130100MJ0123456N')
    const programme = await publish(http, occupations.electrician, day(-30), day(60))
    cls = await openClass(http, inst, programme, [day(-4), day(-3)])
    workers = [
      await enrol(http, cls, card(521), `${day(-6)}T08:40:00+08:00`),
      await enrol(http, cls, card(522), `${day(-6)}T08:41:00+08:00`),
    ]
    clock.now = at(day(-2))
    await attendAndComplete(http, cls, workers, 'dev-fc-pub-1')
    clock.now = at(day(0), '10:00')
    accepted(await http.post('/v1/rule-sets', officer, publicationSet()))
    for (const w of workers) {
      const claim = accepted(
        await http.post('/v1/claims', people.staff(inst), trainingClaim(cls, w, 180_000)),
      ).claim
      accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
      accepted(await http.post(`/v1/claims/${claim}/decision`, officer, { outcome: 'approved' }))
      claims.push(claim as string)
    }
  }, 180_000)

  afterAll(async () => {
    await sys?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('publishes the approved claims for the configured days, names masked, and refuses payment until the period ends', async () => {
    const stream = await sys.store.readStream(`subsidy-${workers[0]}`)
    expect(stream.find((e) => e.type === 'ClaimPublished')?.data).toMatchObject({
      claim: claims[0],
      from: day(0),
      to: day(4),
    })
    const until = day(4)
    const reasons = await refusedWith(() => pay(claims[0]!, 'FIN-PUB-0001'))
    expect(reasons.find((r) => r.rule === 'publication')?.details).toEqual({ from: day(0), until })

    const items = await vi.waitFor(
      async () => {
        const page = accepted(await sys.http.get('/v1/publications?region=130102', officer), 200)
        expect(page.items).toHaveLength(2)
        return page.items as Json[]
      },
      { timeout: 30_000, interval: 200 },
    )
    expect(items.map((i) => i.amount)).toEqual([180_000, 180_000])
    for (const i of items) {
      expect(JSON.stringify(i)).not.toContain(workers[0])
      expect(JSON.stringify(i)).not.toContain(workers[1])
      expect(i).toMatchObject({ institution: inst, occupation: occupations.electrician.code, until })
    }
    expect(items[1]).toMatchObject({ worker: `${workers[0]!.slice(0, 4)}****`, objection: 'none' })
    const outside = accepted(await sys.http.get('/v1/publications?region=1302', officer), 200)
    expect(outside.items).toEqual([])
  })

  it('holds a claim objected to until an officer rules; dismissed, it is paid once the period has passed', async () => {
    const reason = '群众来电反映：该学员培训期间在外地务工'
    const filed = accepted(
      await sys.http.post(`/v1/claims/${claims[0]}/publication-objections`, officer, { reason }),
    )
    // The same objection again files nothing new.
    const again = accepted(
      await sys.http.post(`/v1/claims/${claims[0]}/publication-objections`, officer, { reason }),
    )
    expect(again.objection).toBe(filed.objection)
    expect(again.ids).toEqual([])

    clock.now = at(day(6), '10:00')
    const held = await refusedWith(() => pay(claims[0]!, 'FIN-PUB-0002'))
    expect(held.map((r) => r.rule)).toContain('publication-objection')
    expect(held.map((r) => r.rule)).not.toContain('publication')

    accepted(
      await sys.http.post(
        `/v1/claims/${claims[0]}/publication-objections/${filed.objection}/ruling`,
        officer,
        { outcome: 'dismissed', note: '经核查签到与人脸比对记录，异议不成立' },
      ),
    )
    const paid = accepted(await pay(claims[0]!, 'FIN-PUB-0003'))
    const payment = (await sys.store.readStream(`subsidy-${workers[0]}`)).find((e) => e.id === paid.ids[0])!
    expect(payment.type).toBe('SubsidyPaid')
    expect(payment.data).toMatchObject({ amount: 180_000 })
  })

  it('rejects a claim whose objection is upheld, and refuses objections outside the period', async () => {
    const late = await refusedWith(() =>
      sys.http.post(`/v1/claims/${claims[1]}/publication-objections`, officer, {
        reason: '超过公示期的异议',
      }),
    )
    expect(late.map((r) => r.rule)).toEqual(['publication-open'])

    // Back inside the period (the clock is the test's): file, uphold, and the claim is rejected.
    clock.now = at(day(2), '10:00')
    const filed = accepted(
      await sys.http.post(`/v1/claims/${claims[1]}/publication-objections`, officer, {
        reason: '群众举报：该学员未实际参训',
      }),
    )
    accepted(
      await sys.http.post(
        `/v1/claims/${claims[1]}/publication-objections/${filed.objection}/ruling`,
        officer,
        { outcome: 'upheld', note: '经核查，该学员签到系机构代签' },
      ),
    )
    clock.now = at(day(6), '10:00')
    const refused = await refusedWith(() => pay(claims[1]!, 'FIN-PUB-0004'))
    expect(refused.map((r) => r.rule)).toEqual(['claim-status'])
    const claim = accepted(await sys.http.get(`/v1/claims/${claims[1]}`, officer), 200)
    expect(claim.status).toBe('rejected')
  })
})
