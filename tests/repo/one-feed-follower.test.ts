// The code that follows the store's feed lives in one package (issue 22): @trec/projections holds
// the loop (follow.ts), the sources it reads (the store's feed, or Kafka through a source built
// on it), catch-up, checkpoints and lag. Read models, the notary and the relay plug into it as a
// `ReadModel`; none of them reads the feed on its own. This guard fails on any source file
// elsewhere that subscribes to an event store's feed or pages through `readAll`.
//
// The signs, matched against each source file (tests, test supports and benchmarks are not
// scanned: they read the feed to check what was written):
//   a subscription to the feed   `.subscribe({ after ...` or `store.subscribe(`
//   paging through the feed      a `readAll(` call in a file that also moves an `after` cursor
//                                to an event's position (`after = ....position`)

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

const sources = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.mjs'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter(
    (f) =>
      f !== '' &&
      !f.endsWith('.test.ts') &&
      !f.includes('node_modules/') &&
      !/(^|\/)(test|test-support|tests|bench)\//.test(f),
  )

/** Where following the feed is allowed, and why. */
const allowed: Record<string, string> = {
  'packages/projections/src/': 'the home: the one runner that follows the feed',
  'packages/eventstore/src/': 'the feed itself: readAll and subscribe are implemented here',
  'services/app/src/instrumented-store.ts':
    'a store wrapper that passes subscribe through, following nothing',
}

const subscription = /\bstore\??\.subscribe\(|\.subscribe\(\s*\{\s*after\b/
const readAllCall = /\breadAll\(/
const cursorMoved = /\bafter\s*=\s*[\w.!?[\]\s-]*\.position\b/

/** The lines of `text` that follow the feed, as `file:line: text`. */
export function feedLoops(file: string, text: string): string[] {
  const lines = text.split('\n')
  const found: string[] = []
  const pages = readAllCall.test(text) && cursorMoved.test(text)
  lines.forEach((line, i) => {
    if (subscription.test(line) || (pages && readAllCall.test(line)))
      found.push(`${file}:${i + 1}: ${line.trim()}`)
  })
  return found
}

describe('one follower of the feed (issue 22)', () => {
  it('recognises a loop over the feed when it sees one', () => {
    expect(feedLoops('a.ts', 'for await (const b of store.subscribe({ after, signal })) {}')).toHaveLength(1)
    expect(feedLoops('a.ts', 'for await (const b of this.o.store.subscribe(opts)) {}')).toHaveLength(1)
    expect(
      feedLoops(
        'a.ts',
        'for (;;) {\n  const events = await store.readAll({ after, maxCount: 10 })\n  after = events[events.length - 1]!.position\n}',
      ),
    ).toHaveLength(1)
    // One read of the feed (the next event after a position, say) is not a loop over it.
    expect(feedLoops('a.ts', 'const [next] = await store.readAll({ after: position, maxCount: 1 })')).toEqual(
      [],
    )
    // Kafka's consumer subscribes to a topic, not to the store's feed.
    expect(feedLoops('a.ts', 'await consumer.subscribe({ topic, fromBeginning: true })')).toEqual([])
  })

  it('finds no loop over the feed outside @trec/projections', () => {
    const offenders = sources
      .filter((f) => !Object.keys(allowed).some((a) => (a.endsWith('/') ? f.startsWith(a) : f === a)))
      .flatMap((f) => feedLoops(f, readFileSync(join(root, f), 'utf8')))
    expect(offenders, 'follow the feed with follow() of @trec/projections, as a ReadModel').toEqual([])
  })
})
