import { quarterOf } from '@trec/core'
import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import { monthOf } from './time.ts'

// R11 (docs/fraud-rules.md; National Audit Office 2023: 334 evaluation agencies issued ~140,000
// certificates by lax exams or tampered scores): an evaluator, or the institution whose classes
// were assessed, with a pass rate of at least `minPassRate` and scores so uniform that their
// standard deviation is at most `maxScoreStdDev`, over at least `minResults` results in one
// window (a month or quarter of `assessedOn`). Both conditions together: a good school passes
// most candidates, but real scores spread.

interface Stats {
  n: number
  passed: number
  scored: number
  sum: number
  sumSquares: number
  ids: string[]
}

interface ClassOwner {
  institution: string
}

const maxIds = 1000

function record(stats: Stats, passed: boolean, score: number | undefined, id: string): Stats {
  stats.n += 1
  if (passed) stats.passed += 1
  if (score !== undefined) {
    stats.scored += 1
    stats.sum += score
    stats.sumSquares += score * score
  }
  if (stats.ids.length < maxIds) stats.ids.push(id)
  return stats
}

export function scoreStdDev(stats: Pick<Stats, 'scored' | 'sum' | 'sumSquares'>): number {
  if (stats.scored === 0) return Number.NaN
  const mean = stats.sum / stats.scored
  return Math.sqrt(Math.max(0, stats.sumSquares / stats.scored - mean * mean))
}

const empty = (): Stats => ({ n: 0, passed: 0, scored: 0, sum: 0, sumSquares: 0, ids: [] })

export const r11CertificateMill: FraudRule<'R11'> = {
  id: 'R11',
  title: 'Certificate-mill pass pattern',
  reads: ['ClassOpened', 'AssessmentResultRecorded'],
  keys: (event, params) => {
    if (event.type === 'ClassOpened') return [`c:${event.data.class}`]
    if (event.type !== 'AssessmentResultRecorded') return []
    const window =
      params.window === 'quarter' ? quarterOf(event.data.assessedOn) : monthOf(event.data.assessedOn)
    return [`e:${event.data.evaluator.id}|${window}`, ...(event.data.class ? [`c:${event.data.class}`] : [])]
  },
  async step(event, state, params) {
    if (event.type === 'ClassOpened') {
      state.set(`c:${event.data.class}`, { institution: event.data.institution } satisfies ClassOwner)
      return []
    }
    if (event.type !== 'AssessmentResultRecorded') return []
    const d = event.data
    const window = params.window === 'quarter' ? quarterOf(d.assessedOn) : monthOf(d.assessedOn)
    const owner = d.class ? await state.get<ClassOwner>(`c:${d.class}`) : undefined
    const subjects = [
      { kind: 'evaluator' as const, id: d.evaluator.id, key: `e:${d.evaluator.id}|${window}` },
      ...(owner
        ? [{ kind: 'institution' as const, id: owner.institution, key: `i:${owner.institution}|${window}` }]
        : []),
    ]
    const drafts: AlertDraft[] = []
    for (const subject of subjects) {
      const stats = record((await state.get<Stats>(subject.key)) ?? empty(), d.passed, d.score, event.id)
      state.set(subject.key, stats)
      const passRate = stats.passed / stats.n
      const spread = scoreStdDev(stats)
      if (
        stats.n >= params.minResults &&
        stats.scored >= params.minResults &&
        passRate >= params.minPassRate &&
        spread <= params.maxScoreStdDev
      )
        drafts.push({
          subject: { kind: subject.kind, id: subject.id },
          occurrence: window,
          evidence: stats.ids,
          summary: `${subject.kind} ${subject.id}: ${stats.passed} of ${stats.n} candidates passed in ${window} (${(passRate * 100).toFixed(1)} %) with scores of standard deviation ${spread.toFixed(2)}, at most ${params.maxScoreStdDev}`,
          measures: { results: stats.n, passRate, scoreStdDev: spread, meanScore: stats.sum / stats.scored },
        })
    }
    return drafts
  },
}
