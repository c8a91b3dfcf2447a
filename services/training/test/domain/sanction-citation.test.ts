import { describe, expect, it } from 'vitest'
import { citationViolation } from '../../src/domain/sanction-citation.ts'

const decision = '0190a0b1-0000-7000-8000-000000000001'
const facts = [
  { id: 'e-0', type: 'CaseOpened', data: { case: 'case-1', region: '130100' } },
  {
    id: decision,
    type: 'CaseSanctionDecided',
    data: { case: 'case-1', target: { kind: 'institution', id: 'inst-1' }, sanction: 'suspension' },
  },
]
const citation = { case: 'case-1', decision }
const expected = { institution: 'inst-1', region: '130102', kind: 'suspension' as const }

describe('a cited sanction decision', () => {
  it('holds when the case covers the region and the decision is that kind against that institution', () => {
    expect(citationViolation(facts, citation, expected)).toBeUndefined()
  })

  it('names what does not hold: no case, another region, no such decision, another target or kind', () => {
    const field = (v: ReturnType<typeof citationViolation>) => v?.details?.field
    expect(field(citationViolation([], citation, expected))).toBe('sanction.case')
    expect(field(citationViolation(facts, citation, { ...expected, region: '130602' }))).toBe('sanction.case')
    expect(field(citationViolation(facts, { ...citation, decision: 'e-0' }, expected))).toBe(
      'sanction.decision',
    )
    expect(field(citationViolation(facts, citation, { ...expected, institution: 'inst-2' }))).toBe(
      'sanction.decision',
    )
    expect(citationViolation(facts, citation, { ...expected, kind: 'delisting' })?.details).toMatchObject({
      sanction: 'suspension',
      expected: 'delisting',
    })
  })
})
