// Money followed to the bank and back, over real HTTP with the read side running (issue 26): four workers'
// 技能提升补贴 claims approved; finance issues a batch and gets the bank file; malformed returns
// (another batch, a line twice, a line the batch lacks, an amount that differs) are refused as a
// whole with the lines named and record nothing; the bank's return pays two lines and fails two;
// the card service corrects those two card accounts; the failed lines are re-issued in a second
// batch whose return pays them; every claim is paid once, and the reconciliation of the bank's
// paid lines against the record balances to the fen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtUp } from './support/caught-up.ts'
import { eventually } from './support/eventually.ts'
import type { Answer } from './support/http.ts'
import {
  accepted,
  attestContributions,
  card,
  certify,
  designate,
  enrol,
  occupations,
  openClass,
  people,
  publish,
  region,
  registerCardAccount,
  skillUpgradeClaim,
} from './support/record.ts'
import { embeddedSystem, type System } from './support/system.ts'

const accounts = ['6217000130000100001', '6217000130000100002', '6217000130000100003', '6217000130000100004']
const corrected = '6217000130000199999'
const fifthAccount = '6217000130000100005'

/** The batch file's transfer lines as cells: line, payment_ref, account, fen, yuan, claim, re-issues. */
const transfers = (file: string) =>
  file
    .trim()
    .split('\n')
    .slice(1, -1)
    .map((l) => l.split(','))

/** A return file for `batch`: each line paid, unless listed in `failed`. */
function returnFile(batch: string, lines: string[][], failed: number[] = [], header = batch): string {
  const rows = lines.map(([line, ref, , fen]) =>
    failed.includes(Number(line))
      ? `${line},${ref},${fen},FAILED,,ACCT_CLOSED,account closed, card replaced`
      : `${line},${ref},${fen},PAID,BK${batch.replaceAll('-', '')}${line},,`,
  )
  const sum = (f: boolean) =>
    lines.reduce((s, [line, , , fen]) => s + (failed.includes(Number(line)) === f ? Number(fen) : 0), 0)
  return `TRECRET,1,${header},RET-${batch},2021-06-21\n${rows.join('\n')}\nEND,${rows.length},${sum(false)},${sum(true)}\n`
}

describe('payment batches and bank returns over HTTP', () => {
  let sys: System
  const workers: string[] = []
  const claims: string[] = []
  const fifth = { worker: '', claim: '' }

  beforeAll(async () => {
    sys = await embeddedSystem(new Date('2021-03-01T09:00:00+08:00'), { projections: true })
    const { http } = sys
    const institution = 'inst-130100-0042'
    await designate(http, institution, '52130100MJ0123456N')
    const cls = await openClass(http, institution, await publish(http, occupations.electrician), [
      '2021-04-06',
      '2021-04-07',
    ])
    for (let i = 0; i < 4; i++) {
      workers.push(await enrol(http, cls, card(121 + i), '2021-03-01T08:40:00+08:00'))
      await registerCardAccount(http, card(121 + i), accounts[i])
    }
    fifth.worker = await enrol(http, cls, card(125), '2021-03-01T08:40:00+08:00')
    await registerCardAccount(http, card(125), fifthAccount)
    sys.clock.now = new Date('2021-04-20T10:00:00+08:00')
    const certificates: string[] = []
    for (const [i, worker] of workers.entries())
      certificates.push(
        await certify(http, worker, occupations.electrician, `S013000009214000${i}`, {
          assessedOn: '2021-04-19',
          issuedOn: '2021-04-20',
        }),
      )
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    for (const [i, worker] of workers.entries()) {
      await attestContributions(http, worker)
      const claim = accepted(
        await http.post('/v1/claims', people.officer, skillUpgradeClaim(worker, certificates[i])),
      ).claim as string
      accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
      accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
      claims.push(claim)
    }
    // A fifth worker's claim, for a batch whose only line the bank fails and finance cancels.
    sys.clock.now = new Date('2021-04-20T10:00:00+08:00')
    const fifthCertificate = await certify(http, fifth.worker, occupations.electrician, 'S0130000092140005', {
      assessedOn: '2021-04-19',
      issuedOn: '2021-04-20',
    })
    sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
    await attestContributions(http, fifth.worker)
    fifth.claim = accepted(
      await http.post('/v1/claims', people.officer, skillUpgradeClaim(fifth.worker, fifthCertificate)),
    ).claim as string
    accepted(await http.post(`/v1/claims/${fifth.claim}/reviews`, people.reviewer, { outcome: 'approved' }))
    accepted(await http.post(`/v1/claims/${fifth.claim}/decision`, people.officer, { outcome: 'approved' }))
    sys.clock.now = new Date('2021-06-20T10:00:00+08:00')
  }, 240_000)

  afterAll(async () => {
    await sys?.close()
  })

  const status = async (claim: string) =>
    ((await sys.http.get(`/v1/claims/${claim}`, people.finance)).body as { status: string }).status
  const refused = (res: Answer) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    return (res.body as { errors: { path: (string | number)[]; code: string; message: string }[] }).errors
  }

  it('issues a batch, refuses malformed returns whole, fails two lines, re-issues them corrected, pays all', async () => {
    const { http } = sys
    const before = await sys.store.lastPosition()
    // A claim named twice is refused, writing nothing.
    const doubled = await http.post('/v1/payment-batches', people.finance, {
      region,
      claims: [claims[0], claims[0]],
    })
    expect(doubled.status).toBe(422)
    expect(JSON.stringify(doubled.body)).toContain('is named twice')
    expect(await sys.store.lastPosition()).toBe(before)
    const first = accepted(await http.post('/v1/payment-batches', people.finance, { region, claims }))
    expect(first).toMatchObject({ batch: `pb-${region}-1`, lines: 4, total: 600_000, totalYuan: '6000.00' })
    const file = first.file as string
    expect(file.split('\n')[0]).toBe(`TRECPAY,1,pb-${region}-1,${region},2021-06-20,4,600000,6000.00`)
    const lines = transfers(file)
    expect(lines.map((l) => l[2])).toEqual(accounts)
    expect(lines.map((l) => l[4])).toEqual(['1500.00', '1500.00', '1500.00', '1500.00'])

    // The same claims cannot go out twice while the bank has them.
    const again = await http.post('/v1/payment-batches', people.finance, { region, claims: [claims[0]] })
    expect(again.status).toBe(422)
    expect(JSON.stringify(again.body)).toContain('claim-in-batch')

    const batch = `pb-${region}-1`
    const url = `/v1/payment-batches/${batch}/return`
    const head = await sys.store.lastPosition()
    // Another batch's return.
    expect(
      refused(await http.post(url, people.finance, { file: returnFile(batch, lines, [], `pb-${region}-9`) })),
    ).toEqual([expect.objectContaining({ path: ['body', 'file', 1], code: 'unknown_batch' })])
    expect(
      (
        await http.post(`/v1/payment-batches/pb-${region}-9/return`, people.finance, {
          file: returnFile(`pb-${region}-9`, lines),
        })
      ).status,
    ).toBe(404)
    // A line twice (and so one line missing).
    const twice = refused(
      await http.post(url, people.finance, {
        file: returnFile(batch, [lines[0]!, lines[1]!, lines[1]!, lines[3]!]),
      }),
    )
    expect(twice).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['body', 'file', 4], code: 'duplicate_line' }),
        expect.objectContaining({ code: 'missing_line', message: expect.stringContaining('batch line 3') }),
      ]),
    )
    // A line the batch lacks.
    const unknown = refused(
      await http.post(url, people.finance, {
        file: returnFile(batch, [...lines, ['5', `${batch}/5`, '', '100']]),
      }),
    )
    expect(unknown).toEqual([expect.objectContaining({ path: ['body', 'file', 6], code: 'unknown_line' })])
    // An amount that differs.
    const short = lines.map((l) => (l[0] === '2' ? [l[0]!, l[1]!, l[2]!, '149999'] : l))
    expect(refused(await http.post(url, people.finance, { file: returnFile(batch, short) }))).toEqual([
      expect.objectContaining({
        path: ['body', 'file', 3],
        code: 'amount_differs',
        message: expect.stringContaining('1500.00'),
      }),
    ])
    expect(await sys.store.lastPosition()).toBe(head)
    for (const claim of claims) expect(await status(claim)).toBe('approved')

    // The bank pays lines 1 and 2 and fails 3 and 4.
    const back = accepted(await http.post(url, people.finance, { file: returnFile(batch, lines, [3, 4]) }))
    expect(back).toMatchObject({ paid: 300_000, failed: 300_000 })
    expect(await Promise.all(claims.map(status))).toEqual(['paid', 'paid', 'approved', 'approved'])
    // One return per batch.
    expect((await http.post(url, people.finance, { file: returnFile(batch, lines, [3, 4]) })).status).toBe(
      422,
    )
    // A failed line is held: the claim goes out again only as that line re-issued.
    expect(
      (await http.post('/v1/payment-batches', people.finance, { region, claims: [claims[2]] })).status,
    ).toBe(422)
    // A paid line is neither re-issued nor cancelled.
    const paidLine = await http.post(`/v1/payment-batches/${batch}/lines/1/cancellation`, people.finance, {
      reason: 'no',
    })
    expect(paidLine.status).toBe(422)

    // The card service corrects the two cards' accounts; finance re-issues the failed lines.
    await registerCardAccount(sys.http, card(123), corrected)
    await registerCardAccount(sys.http, card(124), corrected.replace('9999', '8888'))
    const reissueBody = {
      region,
      reissue: [
        { batch, line: 3 },
        { batch, line: 4 },
      ],
    }
    const key = { 'idempotency-key': 'reissue-2021-06-20' }
    const second = accepted(await http.post('/v1/payment-batches', people.finance, reissueBody, key))
    // A retry with the same key is answered the same batch and writes nothing.
    const afterSecond = await sys.store.lastPosition()
    expect(accepted(await http.post('/v1/payment-batches', people.finance, reissueBody, key))).toEqual(second)
    expect(await sys.store.lastPosition()).toBe(afterSecond)
    expect(second).toMatchObject({ batch: `pb-${region}-2`, lines: 2, total: 300_000 })
    const reissued = transfers(second.file as string)
    expect(reissued.map((l) => [l[2], l[5], l[6]])).toEqual([
      [corrected, claims[2], `${batch}/3`],
      [corrected.replace('9999', '8888'), claims[3], `${batch}/4`],
    ])
    const again2 = `pb-${region}-2`
    accepted(
      await http.post(`/v1/payment-batches/${again2}/return`, people.finance, {
        file: returnFile(again2, reissued),
      }),
    )
    expect(await Promise.all(claims.map(status))).toEqual(['paid', 'paid', 'paid', 'paid'])
    // Paid once each: no claim goes in a batch again.
    expect((await http.post('/v1/payment-batches', people.finance, { region, claims })).status).toBe(422)

    // The bank's paid lines reconcile with the record to the fen.
    await caughtUp(sys)
    const paidLines = [...lines.slice(0, 2), ...reissued]
    const csv = `payment_ref,claim,payee_kind,payee_id,amount_fen\r\n${paidLines
      .map((l) => `${l[1]},${l[5]},worker,${workers[claims.indexOf(l[5]!)]},${l[3]}`)
      .join('\r\n')}\r\n`
    const rec = await http.post(`/v1/compliance/reconciliation?region=${region}`, people.finance, csv, {
      'content-type': 'text/csv',
    })
    expect(rec.status, JSON.stringify(rec.body)).toBe(200)
    expect((rec.body as { summary: unknown }).summary).toMatchObject({
      rows: 4,
      matched: 4,
      unrecorded: 0,
      claimsPaidTwice: 0,
      amountMismatches: 0,
      payeeMismatches: 0,
      referenceMismatches: 0,
      fileTotal: 600_000,
      matchedTotal: 600_000,
    })

    // An auditor's export of the region's day proves the chain: every SubsidyPaid is a line of an
    // issued batch that the bank's return says it paid, for that amount, each event with its proof.
    const from = encodeURIComponent('2021-06-20T00:00:00+08:00')
    const to = encodeURIComponent('2021-06-21T00:00:00+08:00')
    const auditor = { sub: 'auditor-1', role: 'auditor' } as const
    type Event = { type: string; data: Record<string, unknown> & { lines?: Record<string, unknown>[] } }
    const exportUrl = `/v1/audit/exports/regions/${region}?purpose=audit&from=${from}&to=${to}`
    // The notary checkpoints on its own time: wait for one that covers the second return.
    const leaves = await eventually('a checkpoint that covers both returns', async () => {
      const res = await http.get(exportUrl, auditor)
      if (res.status !== 200) return undefined
      const all = res.text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l) as { event: Event; proof: unknown })
      return all.filter((l) => l.event.type === 'BankReturnRecorded').length === 2 ? all : undefined
    })
    for (const l of leaves) expect(Array.isArray(l.proof)).toBe(true)
    const of = (type: string) => leaves.map((l) => l.event).filter((e) => e.type === type)
    expect([
      of('PaymentBatchIssued').length,
      of('BankReturnRecorded').length,
      of('PaymentLineReissued').length,
    ]).toEqual([2, 2, 2])
    const sent = new Map(of('PaymentBatchIssued').flatMap((e) => e.data.lines!.map((l) => [l.paymentRef, l])))
    const returned = new Map(
      of('BankReturnRecorded').flatMap((e) => e.data.lines!.map((l) => [`${e.data.batch}/${l.line}`, l])),
    )
    const payments = of('SubsidyPaid')
    expect(payments.map((e) => e.data.claim).sort()).toEqual([...claims].sort())
    for (const p of payments) {
      const line = sent.get(p.data.paymentRef as string)!
      expect(line).toMatchObject({ claim: p.data.claim, amount: p.data.amount, account: p.data.account })
      expect(returned.get(p.data.paymentRef as string)).toMatchObject({
        outcome: 'paid',
        amount: p.data.amount,
      })
    }
  }, 240_000)

  it('cancels a failed line over HTTP: once, on retry nothing new, and the claim may go out again', async () => {
    const { http } = sys
    sys.clock.now = new Date('2021-06-22T10:00:00+08:00')
    const issued = accepted(
      await http.post('/v1/payment-batches', people.finance, { region, claims: [fifth.claim] }),
    )
    const batch = issued.batch as string
    const lines = transfers(issued.file as string)
    expect(lines.map((l) => [l[2], l[5]])).toEqual([[fifthAccount, fifth.claim]])
    accepted(
      await http.post(`/v1/payment-batches/${batch}/return`, people.finance, {
        file: returnFile(batch, lines, [1]),
      }),
    )
    expect(await status(fifth.claim)).toBe('approved')
    // Held while failed: the claim cannot go out in another batch yet.
    expect(
      (await http.post('/v1/payment-batches', people.finance, { region, claims: [fifth.claim] })).status,
    ).toBe(422)

    const url = `/v1/payment-batches/${batch}/lines/1/cancellation`
    const body = { reason: '社保卡账户已注销，资金留在基金' }
    const key = { 'idempotency-key': 'cancel-2021-06-22-1' }
    const cancelled = accepted(await http.post(url, people.finance, body, key))
    expect(cancelled.ids).toHaveLength(1)
    const after = await sys.store.lastPosition()
    // A retry with the same key is answered the same and writes nothing.
    expect(accepted(await http.post(url, people.finance, body, key))).toEqual(cancelled)
    expect(await sys.store.lastPosition()).toBe(after)
    // A second cancellation (another key) is refused: the line is no longer a failed line waiting.
    const twice = await http.post(url, people.finance, body, { 'idempotency-key': 'cancel-2021-06-22-2' })
    expect(twice.status, twice.text).toBe(422)
    expect(twice.text).toContain('cancel-failed-line')
    expect(await sys.store.lastPosition()).toBe(after)
    const event = (await sys.store.readStream(`paybatch-${batch}`)).find(
      (e) => e.type === 'PaymentLineCancelled',
    )!
    expect(event.id).toBe(cancelled.ids[0])
    expect(event.data).toMatchObject({ batch, line: 1, amount: 150_000, reason: body.reason })
    // Unpaid, and free to go in a later batch.
    expect(await status(fifth.claim)).toBe('approved')
    const next = accepted(
      await http.post('/v1/payment-batches', people.finance, { region, claims: [fifth.claim] }),
    )
    expect(next).toMatchObject({ lines: 1, total: 150_000 })
  })
})
