import { spec } from '@trec/command/testing'
import type { EventData } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import type { Fact } from '../../src/domain/facts.ts'
import type { RuleSet } from '../../src/domain/rule-set.ts'
import { applied, designated, enterprise, fact, fullRecord, published, sjz, worker } from '../record.ts'
import { trainingClaim } from './commands.ts'

// The evidence particular to 项目制培训, 企业新型学徒制 and 以工代训 (docs/domain.md §3), on a
// TEST rule set (not seed data) built from sjz-2019's practice: each kind refused naming what is
// missing, and 以工代训 paid per month of the employer's records.

const claimedBefore = (...history: SubsidyEvent[]) => spec(subsidyDecider).given(...history)
const requires = { enrolment: true, attendance: true, completion: true, certificate: false }
const college = 'col-130102-0020'

const rules: RuleSet = {
  ...sjz,
  id: 'test-kinds',
  title: 'TEST ONLY: employer kinds',
  kinds: {
    project_training: {
      source: 'test',
      payees: ['provider'],
      amount: { basis: 'cap', perPerson: 220_000 },
      requires,
      programmeOfKind: true,
    },
    apprenticeship: {
      source: 'test',
      payees: ['enterprise'],
      amount: { basis: 'level', byLevel: { '4': 400_000 } },
      requires,
      jointBase: true,
      enterpriseRegion: true,
    },
    work_based_training: {
      source: 'test',
      payees: ['enterprise'],
      amount: { basis: 'monthly', perMonth: 50_000, maxMonths: 2 },
      requires,
      employment: { sources: ['social_insurance'] },
    },
  },
}

/** The full training record, with the enterprise enrolling and running the class. */
function employerRecord(over: Partial<EventData<'ClassOpeningApplied'>> = {}): Fact[] {
  return fullRecord().map((f) => {
    if (f.type === 'WorkerEnrolled') return { ...f, data: { ...f.data, institution: enterprise } }
    if (f.type === 'ClassOpeningApplied') return applied({ institution: enterprise, ...over })
    return f
  }) as Fact[]
}

const enterpriseDesignated = (region = '130102') => {
  const d = designated(enterprise)
  return { ...d, data: { ...d.data, region, kinds: ['enterprise'] } } as Fact
}
const collegeDesignated = () => {
  const d = designated(college)
  return { ...d, data: { ...d.data, kinds: ['vocational_college'] } } as Fact
}

const employed = (observedAt: string, over: Partial<EventData<'EmploymentOutcomeObserved'>> = {}) =>
  fact('EmploymentOutcomeObserved', {
    worker,
    outcome: 'employed',
    source: 'social_insurance',
    sourceRef: `CB-${observedAt.slice(0, 7)}`,
    observedAt,
    employer: enterprise,
    ...over,
  })

const claimFor = (subsidy: 'apprenticeship' | 'work_based_training', facts: Fact[], amount: number) =>
  trainingClaim(facts, {
    subsidy,
    payee: { kind: 'enterprise', id: enterprise },
    amount,
    region: '130102',
    rules,
  })

describe('项目制培训: a programme the authority bought', () => {
  it('refuses a class of a programme published for another kind (programme-kind), pays one bought', () => {
    const claim = (kind: string) =>
      trainingClaim(
        fullRecord().map((f) =>
          f.type === 'ProgrammePublished' ? published({ subsidyKind: kind as 'training' }) : f,
        ),
        { subsidy: 'project_training', rules },
      )
    claimedBefore().when(claim('training')).rejects('programme-kind')
    expect(claimedBefore().when(claim('project_training')).events()).toHaveLength(1)
  })
})

describe('企业新型学徒制: two bases, paid by the enterprise’s region', () => {
  it('pays an enterprise of the region whose class names a designated school', () => {
    const facts = [...employerRecord({ jointBase: college }), enterpriseDesignated(), collegeDesignated()]
    expect(
      claimedBefore()
        .when(claimFor('apprenticeship', facts, 400_000))
        .events(),
    ).toHaveLength(1)
  })

  it('refuses a class naming no base, or a base not designated as a school (joint-base)', () => {
    claimedBefore()
      .when(claimFor('apprenticeship', [...employerRecord(), enterpriseDesignated()], 400_000))
      .rejects('joint-base')
    claimedBefore()
      .when(
        claimFor(
          'apprenticeship',
          [...employerRecord({ jointBase: college }), enterpriseDesignated()],
          400_000,
        ),
      )
      .rejects('joint-base')
  })

  it('refuses an enterprise registered outside the claim’s region, or not on the record (enterprise-region)', () => {
    const base = [...employerRecord({ jointBase: college }), collegeDesignated()]
    const [elsewhere] = claimedBefore()
      .when(claimFor('apprenticeship', [...base, enterpriseDesignated('130104')], 400_000))
      .rejects('enterprise-region')
    expect(elsewhere!.details).toMatchObject({ registeredIn: '130104', claimRegion: '130102' })
    claimedBefore()
      .when(claimFor('apprenticeship', base, 400_000))
      .rejects('enterprise-region')
  })
})

describe('以工代训: per person per month of the employer’s records since the training began', () => {
  // The class began 2021-04-06; the claim is made 2021-06-15.
  it('counts each month once, from the month the training began, and cites one record a month', () => {
    const april = employed('2021-04-20T10:00:00+08:00')
    const facts = [
      ...employerRecord(),
      employed('2021-03-01T10:00:00+08:00'), // before the training
      april,
      employed('2021-04-28T10:00:00+08:00'), // April again
      employed('2021-05-02T10:00:00+08:00', { employer: 'ent-other' }), // another employer
      employed('2021-05-03T10:00:00+08:00', { outcome: 'not_employed' }),
      employed('2021-05-04T10:00:00+08:00', { source: 'follow_up' }), // a source the rule does not take
    ]
    const [submitted] = claimedBefore()
      .when(claimFor('work_based_training', facts, 50_000))
      .events()
    expect(submitted).toBeDefined()
    const [over] = claimedBefore()
      .when(claimFor('work_based_training', facts, 50_001))
      .rejects('amount-standard')
    expect(over!.details).toMatchObject({ standard: 50_000, months: 1 })
  })

  it('pays at most the rule’s period (maxMonths)', () => {
    const facts = [
      ...employerRecord(),
      employed('2021-04-10T10:00:00+08:00'),
      employed('2021-05-10T10:00:00+08:00'),
      employed('2021-06-10T10:00:00+08:00'),
    ]
    expect(
      claimedBefore()
        .when(claimFor('work_based_training', facts, 100_000))
        .events(),
    ).toHaveLength(1)
    claimedBefore()
      .when(claimFor('work_based_training', facts, 150_000))
      .rejects('amount-standard')
  })

  it('refuses with no month of employment on the record (employment-months), and no other amount reason', () => {
    claimedBefore()
      .when(claimFor('work_based_training', employerRecord(), 50_000))
      .rejects('employment-months')
  })
})
