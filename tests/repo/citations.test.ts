// A clone stands alone: no tracked file cites a document that is not in the repository, names a
// folder beside it, or refers to notes kept outside it. Documents cited by path (`docs/domain.md`,
// `../SECURITY.md`, markdown links) must exist, resolved from the citing file's folder or the root.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const self = relative(root, import.meta.filename)
const textFile = /\.(ts|mjs|js|json|md|ya?ml|xml|sh|toml|txt)$|(^|\/)(Dockerfile|run|\.env\.example)$/
const ignored = ['packages/merkle/test/vectors/', 'pnpm-lock.yaml']

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && f !== self && textFile.test(f) && !ignored.some((i) => f.startsWith(i)))

/** Outside places and notes, spelled so that this file does not match itself. */
const outside: [RegExp, string][] = [
  [new RegExp(['\\.\\.', 'shared\\b'].join('/')), 'a folder beside the repository'],
  [new RegExp(['\\bARCHITECTURE', '(\\.md)?\\b'].join('')), 'a document that is not in the repository'],
  [new RegExp(['\\banchors', '[a-z]+\\b'].join('-')), 'an outside research note'],
  [new RegExp(['seeds', 'brief'].join('-')), 'an outside domain brief'],
  [new RegExp(['\\bbrief', '§'].join(' ')), 'an outside domain brief'],
  [new RegExp(['research', 'note'].join(' ')), 'an outside research note'],
]

/** Paths ending in .md, and markdown link targets, that a file cites. */
function citedPaths(file: string, text: string): string[] {
  const paths = [...text.matchAll(/(?<![\w/.:@-])((?:\.{1,2}\/)*[\w.-]+(?:\/[\w.-]+)*\.md)\b/g)].map(
    (m) => m[1]!,
  )
  if (file.endsWith('.md'))
    for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g))
      if (!/^[a-z]+:/.test(m[1]!)) paths.push(m[1]!)
  return [...new Set(paths)]
}

const exists = (file: string, path: string) =>
  existsSync(resolve(root, dirname(file), path)) || existsSync(resolve(root, path))

describe('citations stay inside the repository', () => {
  it(`checks the tracked text files (${tracked.length})`, () => {
    expect(tracked.length).toBeGreaterThan(100)
    expect(tracked).toContain('docs/architecture.md')
  })

  it('no file names an outside folder or note', () => {
    const found: string[] = []
    for (const file of tracked) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n')
      for (const [i, line] of lines.entries())
        for (const [pattern, what] of outside)
          if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`)
    }
    expect(found).toEqual([])
  })

  it('every document cited by path exists', () => {
    const missing: string[] = []
    for (const file of tracked) {
      const text = readFileSync(join(root, file), 'utf8')
      for (const path of citedPaths(file, text)) if (!exists(file, path)) missing.push(`${file}: ${path}`)
    }
    expect(missing).toEqual([])
  })

  it('the checks see a missing document and an outside note', () => {
    expect(citedPaths('a.md', 'see [x](docs/nowhere.md) and docs/errors.md').sort()).toEqual([
      'docs/errors.md',
      'docs/nowhere.md',
    ])
    expect(exists('README.md', 'docs/nowhere.md')).toBe(false)
    expect(outside.some(([p]) => p.test(`see ${['..', 'shared', 'x.md'].join('/')}`))).toBe(true)
  })
})
