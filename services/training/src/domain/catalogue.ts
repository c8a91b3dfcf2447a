import { check, type Decider, type RuleViolation } from '@trec/command'
import {
  type CatalogueEvent,
  type CatalogueName,
  type Catalogues,
  catalogueEventTypes,
  type DatedEntry,
  type DatedTerms,
  emptyCatalogues,
  evolveCatalogues,
  findEntry,
  lastDayOf,
  type Programme,
  spanOf,
} from '@trec/contracts'
import { type RuleId, violation } from './rules.ts'
import { dateWithin } from './time.ts'

// The catalogues of a region (`catalogue-{region}`), each effective-dated (docs/domain.md,
// "Catalogues"): the 培训项目目录 (D2 「目录清单管理」, amounts such as 「每人最高不超过2200元」), the
// 定点培训机构目录, the 评价机构目录 and the 紧缺职业（工种）目录. One decider for the four: an entry is
// published from a day, given new terms from a later day (动态调整: the previous version ends the
// day before and stays in the record) and withdrawn from a day (清退). Two entries naming the same
// thing (a programme's region, occupation, level and subsidy kind; an institution; an evaluation
// body; an occupation and level) may not be in force on the same day, so what applies on a date
// is never ambiguous. The folding is @trec/contracts' (`evolveCatalogues`), shared with the readers.

export type { Programme }
export type CatalogueState = Catalogues

type Entry = DatedEntry<DatedTerms>

export type CatalogueCommand =
  | {
      kind: 'publish'
      catalogue?: CatalogueName
      data: DatedTerms & ({ programme: string } | { entry: string })
    }
  | {
      kind: 'adjust'
      catalogue: CatalogueName
      entry: string
      region: string
      effectiveFrom: string
      changes: Record<string, unknown>
      reason: string
    }
  | {
      kind: 'withdraw'
      catalogue: CatalogueName
      entry: string
      region: string
      effectiveFrom: string
      reason: string
      note?: string | undefined
    }

type Keyed = Record<string, unknown>

/** What makes two entries of a catalogue name the same thing. */
const sameThing: Record<CatalogueName, (a: Keyed, b: Keyed) => boolean> = {
  programmes: (a, b) =>
    a.region === b.region &&
    a.occupationCode === b.occupationCode &&
    a.level === b.level &&
    a.subsidyKind === b.subsidyKind,
  institutions: (a, b) => a.institution === b.institution,
  evaluationBodies: (a, b) => a.body === b.body,
  shortageOccupations: (a, b) => a.occupationCode === b.occupationCode && a.level === b.level,
}

/** The rule an overlap breaks: the programme catalogue keeps its own, older id. */
const overlapRule = (catalogue: CatalogueName): RuleId =>
  catalogue === 'programmes' ? 'programme-validity-overlap' : 'catalogue-validity-overlap'

/** Whether two validity intervals share a day (an absent end is open-ended). */
export function validityOverlaps(a: DatedTerms, b: DatedTerms): boolean {
  const aEnds = a.effectiveTo ?? '9999-12-31'
  const bEnds = b.effectiveTo ?? '9999-12-31'
  return a.effectiveFrom <= bEnds && b.effectiveFrom <= aEnds
}

/** Whether a programme (as a span or a version) is in force on a day. */
export function inForceOn(programme: DatedTerms, date: string): boolean {
  return dateWithin(date, programme.effectiveFrom, programme.effectiveTo)
}

/** A programme by id in catalogues (a region's and those above it): over its whole life, latest terms. */
export function findProgramme(catalogues: readonly CatalogueState[], id: string): Programme | undefined {
  const entry = findEntry(catalogues, 'programmes', id)
  return entry && spanOf(entry)
}

/** The programme's entry by id, with its history (versions, withdrawal). */
export const findProgrammeEntry = (catalogues: readonly CatalogueState[], id: string) =>
  findEntry(catalogues, 'programmes', id)

const idField = (catalogue: CatalogueName) => (catalogue === 'programmes' ? 'programme' : 'entry')

const entryCited = (entry: Entry) => {
  const last = lastDayOf(entry)
  return {
    entry: entry.id,
    effectiveFrom: entry.published.effectiveFrom,
    ...(last === undefined ? {} : { effectiveTo: last }),
    ...(entry.withdrawal ? { withdrawnFrom: entry.withdrawal.effectiveFrom } : {}),
  }
}

function decidePublish(
  catalogue: CatalogueName,
  data: DatedTerms & ({ programme: string } | { entry: string }),
  state: CatalogueState,
): CatalogueEvent[] {
  const entries = state[catalogue] as Entry[]
  const id = 'programme' in data ? data.programme : data.entry
  const same = entries.find((e) => e.id === id)
  // A retry of the same publication appends nothing.
  if (same && JSON.stringify(same.published) === JSON.stringify(data)) return []
  const clash = entries.find(
    (e) =>
      sameThing[catalogue](e.published as unknown as Keyed, data as unknown as Keyed) &&
      validityOverlaps(spanOf(e), data),
  )
  check(
    same !== undefined &&
      violation('catalogue-entry-exists', 'an entry with this id is already published', { entry: id }),
    clash !== undefined &&
      violation(
        overlapRule(catalogue),
        'another entry for the same thing is in force on some of these days',
        {
          field: 'effectiveFrom',
          [idField(catalogue)]: clash.id,
          ...entryCited(clash),
        },
      ),
  )
  return [{ type: catalogueEventTypes[catalogue][0], data } as CatalogueEvent]
}

function unknownEntry(catalogue: CatalogueName, id: string): RuleViolation {
  return violation('catalogue-entry-unknown', 'the entry is not in this catalogue of the region', {
    field: 'entry',
    catalogue,
    entry: id,
  })
}

function decideAdjust(command: Extract<CatalogueCommand, { kind: 'adjust' }>, state: CatalogueState) {
  const entry = (state[command.catalogue] as Entry[]).find((e) => e.id === command.entry)
  if (!entry) return check(unknownEntry(command.catalogue, command.entry)) as never
  const last = entry.adjustments.at(-1)
  // A retry of the latest adjustment appends nothing.
  if (
    last &&
    last.effectiveFrom === command.effectiveFrom &&
    JSON.stringify(last.changes) === JSON.stringify(command.changes)
  )
    return []
  const current = last?.effectiveFrom ?? entry.published.effectiveFrom
  const end = lastDayOf(entry)
  check(
    entry.withdrawal !== undefined &&
      violation(
        'catalogue-entry-withdrawn',
        'the entry was withdrawn (清退); a withdrawn entry is not adjusted',
        {
          field: 'entry',
          ...entryCited(entry),
        },
      ),
    entry.withdrawal === undefined &&
      command.effectiveFrom <= current &&
      violation(
        'adjustment-not-after-current',
        '动态调整 takes effect after the current version starts; history is not rewritten',
        { field: 'effectiveFrom', currentFrom: current },
      ),
    entry.withdrawal === undefined &&
      end !== undefined &&
      command.effectiveFrom > end &&
      violation('adjustment-outside-validity', 'the entry is no longer in force on that day', {
        field: 'effectiveFrom',
        effectiveTo: end,
      }),
  )
  const { catalogue, kind: _, ...data } = command
  return [{ type: catalogueEventTypes[catalogue][1], data: renameId(catalogue, data) } as CatalogueEvent]
}

function decideWithdraw(command: Extract<CatalogueCommand, { kind: 'withdraw' }>, state: CatalogueState) {
  const entry = (state[command.catalogue] as Entry[]).find((e) => e.id === command.entry)
  if (!entry) return check(unknownEntry(command.catalogue, command.entry)) as never
  const w = entry.withdrawal
  // A retry of the same withdrawal appends nothing.
  if (w && w.effectiveFrom === command.effectiveFrom && w.reason === command.reason) return []
  const end = entry.published.effectiveTo
  check(
    w !== undefined &&
      violation('catalogue-entry-withdrawn', 'the entry is already withdrawn (清退)', {
        field: 'entry',
        ...entryCited(entry),
      }),
    command.effectiveFrom < entry.published.effectiveFrom &&
      violation('withdrawal-before-start', '清退 cannot take effect before the entry comes into force', {
        field: 'effectiveFrom',
        entryFrom: entry.published.effectiveFrom,
      }),
    end !== undefined &&
      command.effectiveFrom > end &&
      violation('withdrawal-after-end', 'the entry has already ended; there is nothing to withdraw', {
        field: 'effectiveFrom',
        effectiveTo: end,
      }),
  )
  const { catalogue, kind: _, note, ...data } = command
  const withNote = note === undefined ? data : { ...data, note }
  return [{ type: catalogueEventTypes[catalogue][2], data: renameId(catalogue, withNote) } as CatalogueEvent]
}

/** The programme catalogue's events name their entry `programme`; the others `entry`. */
function renameId(catalogue: CatalogueName, data: { entry: string } & Keyed): Keyed {
  if (catalogue !== 'programmes') return data
  const { entry, ...rest } = data
  return { programme: entry, ...rest }
}

export const catalogueDecider: Decider<CatalogueState, CatalogueCommand, CatalogueEvent> = {
  initialState: emptyCatalogues,
  evolve: evolveCatalogues,
  decide(command, state) {
    switch (command.kind) {
      case 'publish':
        return decidePublish(command.catalogue ?? 'programmes', command.data, state)
      case 'adjust':
        return decideAdjust(command, state)
      case 'withdraw':
        return decideWithdraw(command, state)
    }
  },
}
