#!/usr/bin/env node
// Entry point behind `npm start`, `npm test` and `npm run bench` on a machine that has only
// Node and npm. It brings the pinned pnpm (through npx), installs the workspace (which pins
// Node 24 for the project itself, through the `node` package) unless what is installed already
// matches the lockfile, then hands over to the pnpm script that does the work. Plain JavaScript
// on purpose: it must run on whatever Node the machine has before anything is installed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tasks = { start: 'serve', test: 'check', bench: 'bench:all' }
const task = process.argv[2]
// `installed` only answers whether a start would skip the install (exit 0) or run it (exit 1).
if (!(task in tasks) && task !== 'installed') {
  console.error(`usage: node scripts/trec.mjs ${Object.keys(tasks).join('|')}|installed [args...]`)
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

// Whether the install (seconds: pnpm through npx, then pnpm's own resolution) can be skipped,
// asked of what pnpm itself keeps rather than of a record of this launcher's: node_modules/.pnpm/
// lock.yaml is the lockfile pnpm last installed from, and the workspace is installed as the
// lockfile says when the two are the same text and the lockfile is up to date with the manifests
// (every workspace package is one of its importers, each with the dependencies and specifiers its
// package.json names). So an install run some other way (`pnpm install`, as after a merge) counts
// as well as one run from here. (An earlier check compared a stamp this launcher wrote after its
// own installs with a digest over pnpm's .modules.yaml, which holds a timestamp: after any other
// install the first start installed again, the 8 s restart in BENCHMARKS.md.) Anything this check
// cannot read or does not expect means "install", which is always safe.
function readText(file) {
  try {
    return readFileSync(join(root, file), 'utf8')
  } catch {
    return undefined
  }
}

const unquote = (v) =>
  v.startsWith("'") && v.endsWith("'")
    ? v.slice(1, -1).replaceAll("''", "'")
    : v.startsWith('"') && v.endsWith('"')
      ? JSON.parse(v)
      : v

/** The lockfile's importers: path -> dependency kind -> name -> specifier (undefined if unexpected). */
function lockedImporters(lockfile) {
  const lines = lockfile.split('\n')
  const importers = new Map()
  let importer
  let kind
  let name
  for (let i = lines.indexOf('importers:') + 1; i > 0 && i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    if (!line.startsWith(' ')) return importers
    const m = /^( *)('[^']*(?:''[^']*)*'|[^:]+):(?: (.*))?$/.exec(line)
    if (!m) return undefined
    const [, indent, rawKey, value] = m
    const key = unquote(rawKey)
    if (indent.length === 2 && (value === undefined || value === '{}')) {
      importer = {}
      importers.set(key, importer)
    } else if (indent.length === 4 && value === undefined && importer) {
      kind = {}
      importer[key] = kind
    } else if (indent.length === 6 && value === undefined && kind) name = key
    else if (indent.length === 8 && key === 'specifier' && value !== undefined && name)
      kind[name] = unquote(value)
    else if (indent.length !== 8) return undefined
  }
  return undefined
}

/** The workspace's package folders, from pnpm-workspace.yaml's `packages:` (`dir` or `dir/*`). */
function workspaceFolders() {
  const text = readText('pnpm-workspace.yaml') ?? ''
  const patterns = []
  let inPackages = false
  for (const line of text.split('\n')) {
    if (!line.startsWith(' ') && line !== '') inPackages = line.trim() === 'packages:'
    else if (inPackages && line.trim().startsWith('- ')) patterns.push(unquote(line.trim().slice(2).trim()))
  }
  const folders = ['.']
  for (const pattern of patterns) {
    if (!pattern.endsWith('/*')) {
      folders.push(pattern)
      continue
    }
    const parent = pattern.slice(0, -2)
    if (/[*?{[!]/.test(parent)) return undefined
    try {
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true }))
        if (entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
          folders.push(`${parent}/${entry.name}`)
    } catch {}
  }
  return folders
}

const kinds = ['dependencies', 'devDependencies', 'optionalDependencies']
function installedAsLocked() {
  const lockfile = readText('pnpm-lock.yaml')
  if (lockfile === undefined || readText('node_modules/.pnpm/lock.yaml') !== lockfile) return false
  const importers = lockedImporters(lockfile)
  const folders = workspaceFolders()
  if (!importers || !folders || importers.size !== new Set(folders).size) return false
  for (const folder of folders) {
    const locked = importers.get(folder)
    const manifestText = readText(join(folder, 'package.json'))
    if (!locked || manifestText === undefined) return false
    const manifest = JSON.parse(manifestText)
    for (const kind of kinds) {
      const wanted = Object.entries(manifest[kind] ?? {})
      const have = locked[kind] ?? {}
      if (wanted.length !== Object.keys(have).length) return false
      if (wanted.some(([dep, spec]) => have[dep] !== spec)) return false
    }
  }
  return true
}

if (task === 'installed') {
  const installed = installedAsLocked()
  console.log(installed ? 'installed as the lockfile says' : 'not installed as the lockfile says')
  process.exit(installed ? 0 : 1)
}
if (process.env.CI || !installedAsLocked()) {
  console.log(`trec: installing the workspace with ${pinned} ...`)
  const installArgs = ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])]
  const [pnpm, pre] = pnpmCommand()
  const status = run(pnpm, [...pre, ...installArgs])
  if (status !== 0) process.exit(status)
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
// main.ts switches Node's compile cache on, but only once main.ts itself has been read, and
// type-stripped: named in the environment (where main.ts's call finds it; the directory is the
// one it uses by default), the cache serves main.ts too, and a restart does not load the
// TypeScript stripper (a WebAssembly module) at all: about 0.1 s of the server's start.
const env =
  cmd === workspaceNode && !process.env.NODE_COMPILE_CACHE
    ? { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') }
    : process.env
const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env })
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
