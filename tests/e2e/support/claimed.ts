import {
  accepted,
  attestContributions,
  card,
  certify,
  designate,
  enrol,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  registerCardAccount,
  skillUpgradeClaim,
} from './record.ts'
import type { System } from './system.ts'

// One worker's record up to a submitted 技能提升补贴 claim, on 石家庄's inst-130100-0042: the
// record the security suites probe. The clock moves with the story (enrolled in March, certified
// in April, claimed in June).

export interface ClaimedRecord {
  institution: string
  cls: OpenedClass
  worker: string
  /** The certificate's issuer serial (职业技能等级证书编号). */
  serial: string
  claim: string
}

/** `whileOpen` runs after the worker's enrolment, while the class is still open (more enrolments, a device). */
export async function claimedRecord(
  sys: System,
  whileOpen: (cls: OpenedClass, worker: string) => Promise<void> = async () => undefined,
): Promise<ClaimedRecord> {
  const { http } = sys
  const institution = 'inst-130100-0042'
  await designate(http, institution, '52130100MJ0123456N')
  const cls = await openClass(http, institution, await publish(http, occupations.electrician), [
    '2021-04-06',
    '2021-04-07',
  ])
  const worker = await enrol(http, cls, card(101), '2021-03-01T08:40:00+08:00')
  // The card platform registers the card's account (持卡领补): the worker is paid only to it.
  await registerCardAccount(http, card(101))
  await whileOpen(cls, worker)
  sys.clock.now = new Date('2021-04-20T10:00:00+08:00')
  const serial = 'S0130000092139001'
  const certificate = await certify(http, worker, occupations.electrician, serial, {
    assessedOn: '2021-04-19',
    issuedOn: '2021-04-20',
  })
  sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
  await attestContributions(http, worker)
  const claim = accepted(
    await http.post('/v1/claims', people.officer, skillUpgradeClaim(worker, certificate)),
  ).claim as string
  return { institution, cls, worker, serial, claim }
}
