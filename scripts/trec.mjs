#!/usr/bin/env node
// Entry point behind `npm start`, `npm test` and `npm run bench` on a machine that has only
// Node and npm. It brings the pinned pnpm (through npx), installs the workspace (which pins
// Node 24 for the project itself, through the `node` package) unless what is installed already
// matches the lockfile, then hands over to the pnpm script that does the work. Plain JavaScript
// on purpose: it must run on whatever Node the machine has before anything is installed.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
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

// Asked only when pnpm is to run (an install, or a task other than a start on the workspace's
// Node): where pnpm is on the PATH, asking its version starts one more Node program, which a
// restart of an installed workspace does not need.
let pnpmFound
function pnpmCommand() {
  if (pnpmFound) return pnpmFound
  const probe = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8' })
  pnpmFound =
    probe.status === 0 && probe.stdout.trim() === pinnedVersion ? ['pnpm', []] : ['npx', ['--yes', pinned]]
  return pnpmFound
}

// What an install left: the lockfile and manifests it installed from, and pnpm's own record of
// the install (node_modules/.modules.yaml). The same digest as after the last install means the
// workspace is installed as the lockfile says, and the install (seconds) is skipped.
const stamp = join(root, 'node_modules', '.trec-installed')
function installedDigest() {
  const hash = createHash('sha256')
  for (const file of ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml', 'node_modules/.modules.yaml'])
    try {
      hash.update(`${file}\n`).update(readFileSync(join(root, file)))
    } catch {
      return undefined
    }
  return hash.digest('hex')
}
function readStamp() {
  try {
    return readFileSync(stamp, 'utf8')
  } catch {
    return undefined
  }
}

const before = installedDigest()
if (process.env.CI || before === undefined || readStamp() !== before) {
  console.log(`trec: installing the workspace with ${pinned} ...`)
  const installArgs = ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])]
  const [pnpm, pre] = pnpmCommand()
  const status = run(pnpm, [...pre, ...installArgs])
  if (status !== 0) process.exit(status)
  const after = installedDigest()
  if (after) writeFileSync(stamp, after)
} else console.log('trec: the workspace is installed as the lockfile says; no install')

// The task runs as a child: a signal sent to this process (an operator's Ctrl-C, a supervisor's
// SIGTERM) is passed on to it, and this process exits when it does, with its code, so that the
// server's graceful shutdown runs and its port is free when this exits. `start` runs the server
// on the workspace's Node directly (what `pnpm serve` runs): one process between the signal and
// the server fewer, and no package manager to start first.
const workspaceNode = join(root, 'node_modules', 'node', 'bin', 'node')
const [cmd, args] =
  task === 'start' && existsSync(workspaceNode)
    ? [workspaceNode, [join(root, 'services/app/src/main.ts'), ...process.argv.slice(3)]]
    : (([pnpm, pre]) => [pnpm, [...pre, 'run', tasks[task], ...process.argv.slice(3)]])(pnpmCommand())
const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    child.kill(signal)
  })
// package.json runs this with `exec` on the Node that runs npm, so npm's signals come here and
// not to a shell in between. Should whatever started this die without a signal, this is given
// another parent: the task is stopped as if by SIGTERM rather than left running on its own.
const parent = process.ppid
const orphaned = setInterval(() => {
  if (process.ppid === parent) return
  clearInterval(orphaned)
  child.kill('SIGTERM')
}, 250)
orphaned.unref()
child.on('error', (error) => {
  console.error(`trec: ${error.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
