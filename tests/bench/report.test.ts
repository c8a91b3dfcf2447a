import { describe, expect, it } from 'vitest'
import { spliceSection } from './report.ts'

const doc = [
  '# Benchmarks',
  '',
  '<!-- a:start -->',
  '## A',
  'old run of a',
  '<!-- a:end -->',
  '',
  '### What the a run found (written by hand)',
  '',
  '<!-- b:start -->',
  '## B',
  'run of b',
  '<!-- b:end -->',
  '',
].join('\n')

describe('spliceSection', () => {
  it('replaces a rerun’s section in place and leaves the rest as it was', () => {
    const first = spliceSection(doc, 'a', ['## A', 'new run of a'])
    expect(first.did).toBe('replaced')
    expect(first.text).toBe(doc.replace('old run of a', 'new run of a'))
    const again = spliceSection(first.text, 'a', ['## A', 'newer run of a'])
    expect(again.text).toBe(doc.replace('old run of a', 'newer run of a'))
    expect(again.text.match(/<!-- a:start -->/g)).toHaveLength(1)
  })

  it('appends a section that is not there yet, once', () => {
    const { text, did } = spliceSection(doc, 'c', ['## C'])
    expect(did).toBe('appended')
    expect(text).toBe(`${doc.trimEnd()}\n\n<!-- c:start -->\n## C\n<!-- c:end -->\n`)
    expect(spliceSection(text, 'c', ['## C', 'rerun']).text).toBe(
      `${doc.trimEnd()}\n\n<!-- c:start -->\n## C\nrerun\n<!-- c:end -->\n`,
    )
  })

  it('does not eat the next section when the end marker is missing', () => {
    const broken = doc.replace('<!-- a:end -->\n', '')
    const { text, did } = spliceSection(broken, 'a', ['## A', 'new run of a'])
    expect(did).toBe('unclosed')
    expect(text).toContain('<!-- a:start -->\n## A\nnew run of a\n<!-- a:end -->\n## A\nold run of a\n')
    expect(text).toContain('### What the a run found (written by hand)')
    expect(text).toContain('<!-- b:start -->\n## B\nrun of b\n<!-- b:end -->')
  })

  it('takes neither an end marker before the start nor a marker inside a line', () => {
    const odd = [
      '<!-- a:end -->',
      'text that mentions `<!-- a:start -->` in a sentence',
      '<!-- a:start -->',
      'old',
      '<!-- a:end -->',
      'after',
    ].join('\n')
    const { text, did } = spliceSection(odd, 'a', ['new'])
    expect(did).toBe('replaced')
    expect(text).toBe(odd.replace('\nold\n', '\nnew\n'))
  })

  it('keeps another section whose name starts with the same words', () => {
    const two = doc.replaceAll('<!-- b:', '<!-- a-2x:')
    const { text } = spliceSection(two, 'a', ['## A', 'new'])
    expect(text).toContain('<!-- a-2x:start -->\n## B\nrun of b\n<!-- a-2x:end -->')
  })
})
