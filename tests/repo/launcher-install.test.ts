// The launcher behind `npm start` (scripts/trec.mjs) skips the package install when the workspace
// is installed as the lockfile says, and asks pnpm's own record of its last install for that, so
// an install run another way counts too. Run against a copy of the workspace's manifests and
// lockfile in a temporary folder, with the launcher's `installed` question (nothing is started).

import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const manifests = ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml', 'scripts/trec.mjs']
const packageFolders = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')
  .split('\n')
  .filter((l) => /^ {2}[^ ].*:$/.test(l))
  .map((l) => l.trim().slice(0, -1))
  .filter((f) => f !== '.' && !f.includes('@'))

let copy: string
const installed = () =>
  spawnSync(process.execPath, [join(copy, 'scripts/trec.mjs'), 'installed'], { encoding: 'utf8' }).status
const edit = (file: string, change: (text: string) => string) =>
  writeFileSync(join(copy, file), change(readFileSync(join(copy, file), 'utf8')))

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'trec-launcher-'))
  for (const file of [...manifests, ...packageFolders.map((f) => `${f}/package.json`)]) {
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(root, file), join(copy, file))
  }
  // What pnpm leaves after installing from this lockfile.
  mkdirSync(join(copy, 'node_modules/.pnpm'), { recursive: true })
  cpSync(join(root, 'pnpm-lock.yaml'), join(copy, 'node_modules/.pnpm/lock.yaml'))
})
afterEach(() => rmSync(copy, { recursive: true, force: true }))

describe('the launcher’s install check', () => {
  it('skips the install of a workspace installed from its lockfile, whoever ran the install', () => {
    expect(packageFolders.length).toBeGreaterThan(5)
    expect(installed()).toBe(0)
  })

  it('installs when nothing was installed, or from another lockfile', () => {
    rmSync(join(copy, 'node_modules'), { recursive: true })
    expect(installed()).toBe(1)
    mkdirSync(join(copy, 'node_modules/.pnpm'), { recursive: true })
    writeFileSync(join(copy, 'node_modules/.pnpm/lock.yaml'), "lockfileVersion: '9.0'\n")
    expect(installed()).toBe(1)
  })

  it('installs when a manifest names a dependency or specifier the lockfile does not have', () => {
    edit('package.json', (t) => t.replace('"typescript": "', '"left-pad": "1.3.0",\n    "typescript": "'))
    expect(installed()).toBe(1)
  })

  it('installs when a workspace package was added or removed', () => {
    mkdirSync(join(copy, 'packages/added'))
    writeFileSync(join(copy, 'packages/added/package.json'), '{ "name": "@trec/added" }\n')
    expect(installed()).toBe(1)
    rmSync(join(copy, 'packages/added'), { recursive: true })
    expect(installed()).toBe(0)
    rmSync(join(copy, packageFolders[0]!), { recursive: true })
    expect(installed()).toBe(1)
  })
})
