#!/usr/bin/env node
// Entry point behind `npm start`, `npm test` and `npm run bench` on a machine that has only
// Node and npm. It brings the pinned pnpm (through npx), installs the workspace (which pins
// Node 24 for the project itself, through the `node` package), then hands over to the pnpm
// script that does the work. Plain JavaScript on purpose: it must run on whatever Node the
// machine has before anything is installed.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tasks = { start: 'serve', test: 'check', bench: 'bench:all' }
const task = process.argv[2]
if (!(task in tasks)) {
  console.error(`usage: node scripts/trec.mjs ${Object.keys(tasks).join('|')} [args...]`)
  process.exit(2)
}

const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager // "pnpm@x.y.z"
const pinnedVersion = pinned.split('@')[1]

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.error) throw r.error
  return r.status ?? 1
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8' })
  if (probe.status === 0 && probe.stdout.trim() === pinnedVersion) return ['pnpm', []]
  return ['npx', ['--yes', pinned]]
}

const [pnpm, pre] = pnpmCommand()
console.log(`trec: installing the workspace with ${pinned} ...`)
const installArgs = ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])]
let status = run(pnpm, [...pre, ...installArgs])
if (status !== 0) process.exit(status)
status = run(pnpm, [...pre, 'run', tasks[task], ...process.argv.slice(3)])
process.exit(status)
