import type { EventForStore } from '@trec/contracts'
import { allFraud, buildProvince } from '@trec/generator'

// A province too big to build in memory at once is built in shards: each shard is a whole
// synthetic province of its own seed (`<seed>/<k>`), so its workers, event ids and random draws
// are its own. The generator numbers institutions from 1 in every shard, so a shard's
// institutions (and the classes, staff, teachers, card readers, devices and assessments named
// after them) are renumbered to follow the previous shards'; a programme another shard already
// published is not published again, and each shard's case file gets its own number. Streams
// are named from these ids, so they are renamed with them. Each shard's events are in feed
// order; the shards follow one another in the feed (each one's year after the last's).

export interface ShardOptions {
  seed: string
  /** Institutions wanted in total (at least). */
  institutions: number
  /** Events wanted in total (at least). */
  events: number
  /** Institutions per shard: the memory bound (about 1 MiB of heap per institution while it is built). */
  shardInstitutions: number
  fraudRate: number
}

export interface Shard {
  index: number
  events: { stream: string; event: EventForStore }[]
  counts: { institutions: number; classes: number; workers: number; enrolments: number; events: number }
  injected: number
  /** Milliseconds building and renumbering it. */
  ms: number
}

/** Institution-derived ids: `<prefix>-<6-digit city>-<number>`, as the generator makes them. */
const derived = /\b(inst|cls|staff|tch|reader)-(\d{6})-(\d{4,})/g
const mill = /\beval-mill-(\d{4,})/g
const caseFile = /\bcase-(\d{4})-0001\b/g
const pad = (n: number) => String(n).padStart(4, '0')

function renumber(
  events: { stream: string; event: EventForStore }[],
  offset: number,
  shard: number,
  published: Set<string>,
): { stream: string; event: EventForStore }[] {
  const out: { stream: string; event: EventForStore }[] = []
  for (const e of events) {
    if (e.event.type === 'ProgrammePublished') {
      const programme = (e.event.data as { programme: string }).programme
      if (published.has(programme)) continue
      published.add(programme)
    }
    if (shard === 0) {
      out.push(e)
      continue
    }
    const text = JSON.stringify(e)
      .replace(derived, (_, prefix, city, n) => `${prefix}-${city}-${pad(offset + Number(n))}`)
      .replace(mill, (_, n) => `eval-mill-${pad(offset + Number(n))}`)
      .replace(caseFile, (_, year) => `case-${year}-${pad(shard + 1)}`)
    out.push(JSON.parse(text))
  }
  return out
}

/** Institutions for each shard: even sizes, none above `shardInstitutions`. */
function split(total: number, perShard: number): number[] {
  const shards = Math.max(1, Math.ceil(total / perShard))
  return Array.from(
    { length: shards },
    (_, i) => Math.floor(total / shards) + (i < total % shards ? 1 : 0),
  ).filter((n) => n > 0)
}

/**
 * Yields shards until both targets are met: `institutions` institutions and `events` events (the
 * larger size asked for wins). Shard k+1 is built only when the caller asks for it, so one shard
 * is in memory at a time.
 */
export async function* provinceShards(o: ShardOptions): AsyncGenerator<Shard> {
  const published = new Set<string>()
  let institutions = 0
  let events = 0
  let index = 0
  // Planned shard sizes; re-planned from the measured events per institution after each shard.
  let plan = split(Math.max(1, o.institutions), o.shardInstitutions)
  if (o.institutions <= 0) plan = [Math.min(o.shardInstitutions, Math.max(5, Math.ceil(o.events / 1700)))]
  while (plan.length > 0) {
    const size = plan.shift()!
    const started = performance.now()
    const built = buildProvince({
      seed: `${o.seed}/${index}`,
      institutions: size,
      ...(o.fraudRate > 0 ? { fraud: allFraud(o.fraudRate) } : {}),
    })
    const list = renumber(built.events, institutions, index, published)
    const shard: Shard = {
      index,
      events: list,
      counts: { ...built.manifest.counts, events: list.length },
      injected: built.manifest.injected.length,
      ms: performance.now() - started,
    }
    institutions += built.manifest.counts.institutions
    events += list.length
    index += 1
    yield shard
    if (plan.length === 0 && events < o.events) {
      const perInstitution = events / institutions
      // At least 5 institutions a shard, so every fraud pattern still has somewhere to go.
      const more = Math.max(5, Math.ceil((o.events - events) / perInstitution))
      plan = split(more, o.shardInstitutions)
    }
  }
}
