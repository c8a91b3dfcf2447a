import type { z } from 'zod'

// What one event type is: its name, the context that owns it, the stream family it lives in,
// the zod schema of its data at the current version, and how data stored under older versions
// is brought up to date. Stored events are never rewritten (docs/architecture.md, "Corrections");
// old shapes are upcast on read, step by step, each step checked against the shape it expects.

export const contexts = [
  'training',
  'attendance',
  'assessment',
  'subsidy',
  'access',
  'employment',
  'oversight',
] as const
export type Context = (typeof contexts)[number]

/** Stream categories and the context that owns (alone writes) each (docs/architecture.md, "Streams"). */
export const streamCategories = {
  institution: 'training',
  class: 'training',
  // the published 培训项目目录 and its subsidy standards, per region.
  catalogue: 'training',
  training: 'training',
  attendance: 'attendance',
  // face-check devices and the keys their batches are signed with.
  device: 'attendance',
  assessment: 'assessment',
  // one stream per issuer and certificate serial, to keep serials unique.
  certificate: 'assessment',
  subsidy: 'subsidy',
  advance: 'subsidy',
  // One payment batch to the paying bank: its lines, the bank's return, re-issues and cancellations.
  paybatch: 'subsidy',
  // One recovery account: money asked back (a clawback, an advance shortfall) followed to its return.
  recovery: 'subsidy',
  // Not in the suggested table: the subsidy rule sets of one province-level division, all versions.
  rulebook: 'subsidy',
  // Who read a person's record, when and why (docs/architecture.md, "Reads are recorded"); written by the reading services.
  access: 'access',
  // A worker's sign-in with a real-name attestation (`session-ws-…`, one per attestation) and their
  // objections to entries of their record (`objection-obj-…`).
  session: 'access',
  objection: 'access',
  // employment outcomes and population groups from other departments.
  employment: 'employment',
  // Not in the suggested table: the yearly plan targets (补贴性培训人次) of one province-level division.
  plan: 'employment',
  // Alerts, cases and 双随机 sampling runs: `oversight-alert-…`, `oversight-case-…`, `oversight-sampling-…`.
  oversight: 'oversight',
} as const satisfies Record<string, Context>
export type StreamCategory = keyof typeof streamCategories

export interface Upcaster {
  /** The version this step reads; it returns data in version `from + 1`. */
  readonly from: number
  /** The shape of data at version `from`, checked before the step runs. */
  readonly schema: z.ZodType
  readonly upcast: (data: unknown) => unknown
}

/** One upcasting step, typed against the older schema it reads. */
export function upcaster<S extends z.ZodType>(
  from: number,
  schema: S,
  upcast: (data: z.output<S>) => unknown,
): Upcaster {
  return { from, schema, upcast: upcast as (data: unknown) => unknown }
}

export interface EventDefinition<
  T extends string = string,
  S extends z.ZodType = z.ZodType,
  A extends z.ZodType = z.ZodType,
> {
  readonly type: T
  /** The current schema version; new events are written at it and old ones upcast to it. */
  readonly version: number
  readonly context: Context
  readonly category: StreamCategory
  /** The data field whose value keys the stream: the event goes to `${category}-${data[key]}`. */
  readonly key: string
  /** The current shape, as read back (including shapes that only upcast history can have). */
  readonly schema: S
  /** What a writer may append now: the current shape, narrowed where history allows more. */
  readonly appendSchema: A
  /** Steps from older versions, sorted by `from`. */
  readonly upcasters: readonly Upcaster[]
  /** One line for the catalogue listing. */
  readonly summary: string
}

type StringKeys<O> = { [K in keyof O]-?: O[K] extends string ? K : never }[keyof O] & string

export interface EventSpec<T extends string, S extends z.ZodType, A extends z.ZodType> {
  type: T
  version?: number
  context: Context
  category: StreamCategory
  key: StringKeys<z.output<S>>
  schema: S
  appendSchema?: A
  upcasters?: readonly Upcaster[]
  summary: string
}

const typeNamePattern = /^[A-Z][A-Za-z0-9]{2,63}$/

/**
 * Declares an event type. Mistakes in a declaration (a category written by another context,
 * upcasters that do not lead below the current version) throw at module load, so they cannot
 * ship.
 */
export function defineEvent<const T extends string, S extends z.ZodType, A extends z.ZodType = S>(
  spec: EventSpec<T, S, A>,
): EventDefinition<T, S, A> {
  const version = spec.version ?? 1
  if (!typeNamePattern.test(spec.type)) throw new Error(`event type ${spec.type} is not PascalCase`)
  if (!Number.isSafeInteger(version) || version < 1)
    throw new Error(`${spec.type}: version must be an integer ≥ 1`)
  if (streamCategories[spec.category] !== spec.context)
    throw new Error(`${spec.type}: ${spec.context} does not own the ${spec.category} streams`)
  const upcasters = [...(spec.upcasters ?? [])].sort((a, b) => a.from - b.from)
  upcasters.forEach((step, i) => {
    if (!Number.isSafeInteger(step.from) || step.from < 1 || step.from >= version)
      throw new Error(
        `${spec.type}: an upcaster from version ${step.from} does not lead to version ${version}`,
      )
    if (i > 0 && upcasters[i - 1]!.from === step.from)
      throw new Error(`${spec.type}: two upcasters from version ${step.from}`)
  })
  return {
    type: spec.type,
    version,
    context: spec.context,
    category: spec.category,
    key: spec.key,
    schema: spec.schema,
    appendSchema: (spec.appendSchema ?? spec.schema) as A,
    upcasters,
    summary: spec.summary,
  }
}
