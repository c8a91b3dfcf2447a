import type { RuleViolation } from '@trec/command'

// Every rule this context enforces, with where it comes from: a seed document (D0–D4, see the
// docs/domain.md §0), national practice the seeds do not state (configurable through the
// service options), or the integrity of the record itself (a fact cannot contradict another).

export type RuleSource = 'D0' | 'D1' | 'D2' | 'D3' | 'D4' | 'practice' | 'integrity'

export const rules = {
  // Institutions: 定点机构 and 清退.
  'institution-already-designated': {
    source: 'D2',
    text: 'An institution is designated once; a delisted one is not readmitted by a second designation.',
  },
  'institution-not-designated': {
    source: 'D2',
    text: 'Only an institution designated (定点) and in force may apply for, open or be delisted from classes.',
  },
  'institution-delisted': {
    source: 'D1',
    text: 'A delisted institution (「立即清退」) may apply for, open or enrol into no new class.',
  },
  'institution-suspended': {
    source: 'practice',
    text: 'An institution suspended (暂停补贴性培训资格) by a sanction may apply for, open or enrol into no class from the first to the last day of the suspension; not in seeds; set by the region.',
  },
  'suspension-overlap': {
    source: 'integrity',
    text: 'An institution is under at most one suspension on any day.',
  },
  'sanction-cited': {
    source: 'integrity',
    text: 'A suspension or delisting carrying out a sanction cites a CaseSanctionDecided of that kind, against that institution, in a case of its region.',
  },
  'delisting-before-designation': {
    source: 'integrity',
    text: 'A delisting takes effect after the designation.',
  },
  // Catalogue: 目录清单管理.
  'programme-validity-overlap': {
    source: 'D2',
    text: 'At most one programme is in force for a region, occupation, level and subsidy kind on any day.',
  },
  'programme-unknown': {
    source: 'integrity',
    text: 'A class or voucher names a programme published for its region or a division above it.',
  },
  'programme-not-in-force': {
    source: 'integrity',
    text: 'A voucher names a programme still in force; a class starts on a day its programme is in force.',
  },
  // Catalogues as effective-dated entries: 动态调整 and 清退 (docs/domain.md, "Catalogues").
  'catalogue-validity-overlap': {
    source: 'D2',
    text: 'At most one entry of a catalogue names the same institution, evaluation body or occupation and level on any day.',
  },
  'catalogue-entry-exists': { source: 'integrity', text: 'A catalogue entry id is published once.' },
  'catalogue-entry-unknown': {
    source: 'integrity',
    text: 'An adjustment or withdrawal names an entry of that catalogue of the region.',
  },
  'catalogue-entry-withdrawn': {
    source: 'D1',
    text: 'A withdrawn entry (清退) is neither adjusted nor withdrawn a second time.',
  },
  'adjustment-not-after-current': {
    source: 'integrity',
    text: 'A 动态调整 takes effect after the version in force starts: earlier days keep the terms they had.',
  },
  'adjustment-outside-validity': {
    source: 'integrity',
    text: 'A 动态调整 takes effect on a day the entry is still in force.',
  },
  'withdrawal-before-start': {
    source: 'integrity',
    text: 'A 清退 takes effect on or after the day the entry came into force.',
  },
  'withdrawal-after-end': { source: 'integrity', text: 'A 清退 takes effect before the entry has ended.' },
  'programme-withdrawn': {
    source: 'D1',
    text: 'A class is neither applied for nor opened on a programme withdrawn from the catalogue (清退) by its start.',
  },
  'institution-not-listed': {
    source: 'practice',
    text: 'Under a rule set with listedInstitutionsOnly (national practice, not in seeds), a class is applied for or opened only by an institution in force in the 定点培训机构目录 of its region on its start day.',
  },
  // Classes: 开班申请 → 培训前审核 → 开班 → closing.
  'class-already-applied': { source: 'integrity', text: 'A class id is applied for once.' },
  'public-college-route': {
    source: 'D1',
    text: 'The public-college route (no tender) is for 职业院校 and 技工院校 only.',
  },
  'sessions-overlap': { source: 'integrity', text: 'The sessions of one class do not overlap.' },
  'sessions-outside-programme': {
    source: 'integrity',
    text: "Every session falls on days the programme's subsidy standard is in force.",
  },
  'sessions-started': {
    source: 'D3',
    text: 'The 培训前审核 comes before training: an application is for sessions that have not begun.',
  },
  'review-not-pending': { source: 'D3', text: 'An application is reviewed once, before it opens.' },
  'review-not-passed': { source: 'D3', text: 'A class opens only after its 培训前审核 passed.' },
  'class-already-opened': { source: 'integrity', text: 'A class opens once.' },
  'class-not-opened': {
    source: 'integrity',
    text: 'Workers enrol into, and classes complete from, an open class.',
  },
  'class-closed': {
    source: 'integrity',
    text: 'A closed class takes no enrolment, opening or second closing.',
  },
  'completed-before-last-session': {
    source: 'integrity',
    text: 'A class is closed as completed only after its last session ended.',
  },
  // Enrolment and 实名认证.
  'class-full': { source: 'integrity', text: 'A class enrols at most its approved capacity.' },
  'already-enrolled': { source: 'integrity', text: 'A worker is enrolled into one class once.' },
  'schedule-overlap': {
    source: 'integrity',
    text: 'A worker is not enrolled into two classes whose sessions overlap (one person, one place).',
  },
  'identity-not-verified': {
    source: 'D0',
    text: 'Only a worker whose real-name check passed is enrolled (「实现培训对象实名认证」 D0/D4; 「凡补必进」 D1/D3).',
  },
  'identity-check-in-future': { source: 'integrity', text: 'A real-name check cannot be dated after now.' },
  'identity-check-stale': {
    source: 'practice',
    text: 'The real-name check is recent (identityCheckMaxAgeHours, national practice).',
  },
  'identity-check-reused': {
    source: 'integrity',
    text: 'One platform answer (platformRef) vouches for one enrolment of the worker it names.',
  },
  // Signed identity attestations (docs/identity-attestations.md).
  'identity-attestation-required': {
    source: 'D0',
    text: 'Under a rule set that requires it, an enrolment presents a signed identity attestation from a trusted source, not a check reported on the institution’s word.',
  },
  'attestation-issuer': {
    source: 'integrity',
    text: 'An attestation is signed by an identity source the deployment trusts.',
  },
  'attestation-signature': {
    source: 'integrity',
    text: 'An attestation verifies under a key pinned for its issuer, with that key’s algorithm.',
  },
  'attestation-claims': { source: 'integrity', text: 'An attestation carries the claims of the contract.' },
  'attestation-expired': { source: 'integrity', text: 'An attestation is presented before it expires.' },
  'attestation-method': {
    source: 'integrity',
    text: 'An issuer attests only the methods the deployment trusts it for.',
  },
  'attestation-subject': {
    source: 'integrity',
    text: 'An attestation vouches for the person whose card number is enrolled, and no one else.',
  },
  // Vouchers (职业培训券/电子培训券; mechanics are national practice, brief appendix A).
  'voucher-unknown': {
    source: 'integrity',
    text: 'A voucher is redeemed or expired by the worker it was issued to.',
  },
  'voucher-redeemed': { source: 'practice', text: 'A voucher is redeemed once.' },
  'voucher-expired': { source: 'practice', text: 'An expired voucher is not redeemed.' },
  'voucher-wrong-class': {
    source: 'practice',
    text: 'A voucher pays for a class of its programme (定向券) in a region it covers.',
  },
  'voucher-validity-past': { source: 'integrity', text: 'A voucher is issued valid until a future time.' },
  'voucher-still-valid': { source: 'practice', text: 'A voucher lapses only after its validity ends.' },
  'voucher-not-claimed': {
    source: 'practice',
    text: 'A voucher is redeemed at enrolment only after the worker has claimed it (领取).',
  },
} as const satisfies Record<string, { source: RuleSource; text: string }>

export type RuleId = keyof typeof rules

export function violation(rule: RuleId, message: string, details?: Record<string, unknown>): RuleViolation {
  return details === undefined ? { rule, message } : { rule, message, details }
}
