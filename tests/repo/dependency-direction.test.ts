// Lower packages never import higher ones: core imports no workspace package, and the event store
// knows nothing of privacy (card-number recognition, which it needs, lives in core).

import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

/** The workspace packages a package declares and the ones its source files import. */
function uses(pkg: string): Set<string> {
  const dir = join(root, 'packages', pkg)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const found = new Set(Object.keys({ ...manifest.dependencies }).filter((d) => d.startsWith('@trec/')))
  for (const file of readdirSync(join(dir, 'src'), { recursive: true, encoding: 'utf8' }))
    if (file.endsWith('.ts'))
      for (const m of readFileSync(join(dir, 'src', file), 'utf8').matchAll(/from '(@trec\/[\w-]+)/g))
        found.add(m[1]!)
  return found
}

describe('dependency direction between packages', () => {
  it('core uses no other workspace package', () => {
    expect([...uses('core')]).toEqual([])
  })

  it('the event store uses core only', () => {
    expect([...uses('eventstore')].filter((d) => d !== '@trec/core')).toEqual([])
  })
})
