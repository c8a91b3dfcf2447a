import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

// Reads a V8 CPU profile (`node --cpu-prof`) and answers where the time went: self time by
// function, and by the package it lives in, as shares of the samples taken.

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

export interface ProfileSummary {
  samples: number
  /** [where, share of samples], largest first. */
  functions: [string, number][]
  packages: [string, number][]
}

/** The package (or `node:` module, or V8 bucket) a frame's script belongs to. */
function packageOf(url: string, name: string): string {
  if (!url) return `(${name.replace(/^\(|\)$/g, '') || 'native'})`
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pnpm) return pnpm[1]!
  if (url.startsWith('node:')) return 'node'
  const own = /\/(packages|services|tests)\/([^/]+)\//.exec(url)
  return own ? `@trec/${own[2]}` : url
}

const top = (counts: Map<string, number>, total: number, n: number): [string, number][] =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [k, v / total])

export function summarise(profile: { nodes: ProfileNode[] }, n = 12): ProfileSummary {
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let samples = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    if (hits === 0) continue
    samples += hits
    const { functionName, url, lineNumber } = node.callFrame
    const file = url.split('/').pop() ?? ''
    const fn = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits)
    const pkg = packageOf(url, functionName)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits)
  }
  return { samples, functions: top(byFunction, samples, n), packages: top(byPackage, samples, 8) }
}

/**
 * The profiles a process wrote into `dir` (--cpu-prof-dir), one per thread (the embedded store's
 * database runs in a thread of its own), summarised together: shares are of all threads' samples.
 */
export async function summariseDir(dir: string): Promise<ProfileSummary | undefined> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) return undefined
  const profiles = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { nodes: ProfileNode[] }),
  )
  return summarise({ nodes: profiles.flatMap((p) => p.nodes) })
}
