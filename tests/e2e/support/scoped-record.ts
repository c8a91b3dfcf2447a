import { caughtUp } from './caught-up.ts'
import { claimedRecord } from './claimed.ts'
import type { Who } from './client.ts'
import { ghost, ruleSetDraft } from './example-requests.ts'
import { accepted, batchOf, card, type Device, enrol, faceCheck, people, registerDevice } from './record.ts'
import type { System } from './system.ts'

// The record of 130102 the authorization table's scope probes run against: one of each thing a
// route's path or body can name, real rather than a ghost, so that a token outside a row's scope
// is refused by the scope check and not by "no such thing". Built on a system whose read side
// runs (`projections: true`): payments, alerts, the claim registry and checkpoints are read
// models.

/** Path values (`claim`, `voucher`, `alert`, …) and the extra things the probes cite, by name. */
export type ScopedRecord = Record<string, string>

export const recordRegion = '130102'

/** The rule set the record's officer publishes for 130102 (from 2027, clear of the shipped sets). */
export const recordRuleSet = { ...ruleSetDraft, id: 'ruleset-130102-probe' }

/**
 * The worker's record to a paid 技能提升补贴 claim, with a device and its signed batch, a second
 * worker, cases (open, closed, of another region, about someone else, about the institution), a
 * voucher, a rule set, a sampling run, an alert (an investigator's read without a case), a
 * signed checkpoint, the finance file that pays the claim, and the worker's objection to the class.
 */
export async function scopedRecord(sys: System): Promise<ScopedRecord> {
  const { http } = sys
  let device: Device | undefined
  let other = ''
  let batch = ''
  const { institution, cls, worker, serial, claim } = await claimedRecord(sys, async (opened, enrolled) => {
    device = await registerDevice(http, opened, 'dev-fc-0042')
    batch = await device.sign(batchOf(device, 'batch-0042-1', [faceCheck(enrolled, opened.sessions[0]!)]))
    other = await enrol(http, opened, card(102), '2021-03-01T08:41:00+08:00')
  })
  // Reviewed, approved and paid to the worker's card account, sealed under the worker's key.
  accepted(await http.post(`/v1/claims/${claim}/reviews`, people.reviewer, { outcome: 'approved' }))
  accepted(await http.post(`/v1/claims/${claim}/decision`, people.officer, { outcome: 'approved' }))
  const paymentRef = 'FIN-2021-06-15-0042'
  const bankAccount = await sys.keyRing.seal(worker, 'account.bankAccount', '6217000130000123456')
  accepted(
    await http.post(`/v1/claims/${claim}/payment`, people.finance, {
      paymentRef,
      account: { kind: 'ssc_card', bankAccount },
    }),
  )
  // A part of the payment clawed back, and the account that follows it to the money returned.
  const clawback = accepted(
    await http.post(`/v1/claims/${claim}/clawback`, people.officer, { reason: 'paid_in_error', amount: 100 }),
  ).ids[0] as string
  const recovery = accepted(
    await http.post(`/v1/claims/${claim}/recoveries`, people.officer, { clawback, dueOn: '2021-09-30' }),
  ).recovery as string
  const voucher = accepted(
    await http.post('/v1/vouchers', people.officer, {
      cardNumber: card(101),
      region: recordRegion,
      value: 100_000,
    }),
  ).voucher as string
  accepted(await http.post('/v1/rule-sets', people.officer, recordRuleSet))
  // An entry of the 定点培训机构目录 of 130102, for the catalogue routes' probes.
  const entry = accepted(
    await http.post('/v1/catalogues/institutions', people.officer, {
      region: recordRegion,
      institution,
      legalName: '石家庄市长安区某职业培训学校',
      effectiveFrom: '2021-01-01',
    }),
  ).entry as string

  const investigator: Who = { sub: 'inv-1301', role: 'investigator', region: '1301' }
  // Each case has its own title: two cases of one content would be one (commands are idempotent by content).
  const openCase = async (who: Who, region: string, subject: string, title: string, kind = 'worker') =>
    accepted(
      await http.post('/v1/oversight/cases', who, {
        title,
        region,
        basis: 'tip_off',
        subjects: [{ kind, id: subject }],
      }),
    ).case as string
  const open = await openCase(investigator, recordRegion, worker, '学员补贴线索')
  const closed = await openCase(investigator, recordRegion, worker, '学员补贴线索（已结案）')
  accepted(
    await http.post(`/v1/oversight/cases/${closed}/closure`, investigator, {
      outcome: 'unsubstantiated',
      note: '查无实据',
    }),
  )
  const elsewhere = await openCase(
    { sub: 'inv-4401', role: 'investigator', region: '4401' },
    '440106',
    worker,
    '外省学员补贴线索',
  )
  const unrelated = await openCase(investigator, recordRegion, other, '另一学员补贴线索')
  const aboutInstitution = await openCase(
    investigator,
    recordRegion,
    institution,
    '培训机构虚假培训线索',
    'institution',
  )
  // A read of the claim without a case: R13 raises an alert on it.
  accepted(await http.get(`/v1/claims/${claim}`, investigator), 200)

  // What the read side holds: the payment, the alert, the registry a sample is drawn from, a checkpoint.
  await caughtUp(sys)
  const payment = (
    accepted(await http.get(`/v1/compliance/payments?region=${recordRegion}`, people.finance), 200).items as {
      payment: string
      claim: string
    }[]
  ).find((p) => p.claim === claim)!.payment
  const alert = (
    accepted(await http.get(`/v1/oversight/alerts?region=${recordRegion}`, investigator), 200).items as {
      alert: string
    }[]
  )[0]!.alert
  // The worker, signed in, objects to the class on their record: it lands in the queue of 130102.
  const objection = accepted(
    await http.post(
      '/v1/me/objections',
      { sub: worker, role: 'worker' },
      {
        entry: { kind: 'training', id: cls.id },
        reason: '我没有参加这个班的第一次课',
      },
    ),
  ).objection as string
  const run = accepted(
    await http.post('/v1/oversight/sampling-runs', investigator, {
      population: { kind: 'institutions', region: recordRegion, from: '2021-01-01', to: '2021-12-31' },
      size: 1,
    }),
  ).run as string
  // A 告知承诺 of the institution, for the commitment routes.
  const commitment = accepted(
    await http.post('/v1/oversight/commitments', people.officer, {
      institution,
      facts: ['venue'],
      statement: '本机构承诺培训场地符合要求',
      signedBy: { office: '法定代表人', letterRef: '长人社承诺〔2026〕12号' },
      signedOn: '2021-03-01',
      checkDueBy: '2021-12-31',
    }),
  ).commitment as string
  await caughtUp(sys)
  const size = String(
    accepted(await http.get('/v1/audit/checkpoints/latest', { sub: 'auditor-1', role: 'auditor' }), 200).size,
  )
  return {
    ...ghost,
    institution,
    class: cls.id,
    device: device!.id,
    worker,
    claim,
    voucher,
    payment,
    paymentRef,
    recovery,
    alert,
    run,
    id: recordRuleSet.id,
    size,
    case: open,
    closedCase: closed,
    elsewhereCase: elsewhere,
    unrelatedCase: unrelated,
    institutionCase: aboutInstitution,
    cardNumber: card(101),
    batch,
    issuer: 'eval-130000-0009',
    serial,
    region: recordRegion,
    objection,
    commitment,
    entry,
  }
}
