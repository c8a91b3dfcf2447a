import {
  accepted,
  complete,
  designate,
  enrol,
  faceCheck,
  type OpenedClass,
  occupations,
  openClass,
  people,
  publish,
  registerDevice,
  templateHash,
  trainingClaim,
  uploadChecks,
} from './record.ts'
import type { System } from './system.ts'

// A class of two workers whose record is what the console's people work on: both trained,
// face-checked and completed on 石家庄's inst-130100-0051, and a 职业培训补贴 claimed by the
// institution for each. Two of the face checks of the second worker carry the first worker's
// face template (one face on two cards: R6 raises an alert on the template). The clock moves with
// the story (enrolled in March, trained in April, claimed in June 2021).

export interface CaseworkRecord {
  institution: string
  cls: OpenedClass
  workers: [string, string]
  claims: [string, string]
  /** The card numbers enrolled, in the workers' order. */
  cards: [string, string]
}

export async function caseworkRecord(sys: Pick<System, 'http' | 'clock'>, cards: [string, string]) {
  const { http } = sys
  const institution = 'inst-130100-0051'
  await designate(http, institution, '52130100MJ0123456N')
  const cls = await openClass(http, institution, await publish(http, occupations.electrician), [
    '2021-04-06',
    '2021-04-07',
  ])
  const a = await enrol(http, cls, cards[0], '2021-03-01T08:40:00+08:00')
  const b = await enrol(http, cls, cards[1], '2021-03-01T08:42:00+08:00')
  sys.clock.now = new Date('2021-04-18T09:00:00+08:00')
  const device = await registerDevice(http, cls, 'dev-fc-0051')
  for (const s of cls.sessions)
    await uploadChecks(http, device, `b-${s.session}`, [
      faceCheck(a, s),
      { ...faceCheck(b, s, 5), templateHash: templateHash(`${a}/${s.session}`) },
    ])
  await complete(http, cls, a)
  await complete(http, cls, b)
  sys.clock.now = new Date('2021-06-15T10:00:00+08:00')
  const staff = people.staff(institution)
  const claimA = accepted(await http.post('/v1/claims', staff, trainingClaim(cls, a))).claim as string
  const claimB = accepted(await http.post('/v1/claims', staff, trainingClaim(cls, b))).claim as string
  return { institution, cls, workers: [a, b], claims: [claimA, claimB], cards } satisfies CaseworkRecord
}
