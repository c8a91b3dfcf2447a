// The two crypto profiles side by side, in one run (`pnpm bench:audit:profiles`): what the notary
// does per event and per checkpoint (leaf and node hashes, checkpoint signatures) and the offline
// verifier on a synthetic export, each under international (SHA-256, Ed25519) and gm (SM3, SM2),
// as rates and as the ratio gm / international. Writes the audit-profiles section of BENCHMARKS.md.
//
//   BENCH_VERIFY_EVENTS (default 100,000) events in the export; BENCH_HASHES (default 200,000).
import { mkdtemp, rm } from 'node:fs/promises'
import { enableCompileCache } from 'node:module'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CryptoProfileName, cryptoProfile, useCryptoProfile } from '@trec/core'
import {
  CompactTree,
  createCheckpointSigner,
  KeySet,
  leafHashOfText,
  signCheckpointNote,
  withCryptoProfile,
} from '@trec/merkle'
import { writeSection } from '../../../tests/bench/report.ts'
import { verifyFile } from '../src/verify/run.ts'
import { faceCheck } from './events.ts'
import { writeSyntheticExport } from './synthetic-export.ts'

const verifyEvents = Number(process.env.BENCH_VERIFY_EVENTS ?? 100_000)
const hashes = Number(process.env.BENCH_HASHES ?? 200_000)
const origin = 'audit.bench.example.gov.cn/trec-events'
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms)
const fmt = (n: number) => n.toLocaleString('en')
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

interface Figures {
  /** Leaves appended to the tree per second: leaf hash of a ~620-byte event plus its node hashes. */
  tree: number
  /** Checkpoints signed per second (signed note). */
  sign: number
  /** Export events verified per second, one thread. */
  verify: number
}

async function measure(name: CryptoProfileName): Promise<Figures> {
  useCryptoProfile(name)
  const texts = Array.from({ length: 1000 }, (_, k) => JSON.stringify(faceCheck(k).event))
  const tree = CompactTree.empty()
  let t = performance.now()
  for (let k = 0; k < hashes; k++) tree.append(leafHashOfText(texts[k % texts.length]!))
  const treeRate = rate(hashes, performance.now() - t)

  const key = cryptoProfile().signature.generateKeyPair()
  const signer = await createCheckpointSigner({ name: origin, privateKey: key.privateKey })
  const signs = 200
  t = performance.now()
  for (let k = 0; k < signs; k++)
    await signCheckpointNote(
      withCryptoProfile({ origin, size: k + 1, root: tree.root(), timestamp: k }),
      signer,
    )
  const signRate = rate(signs, performance.now() - t)

  const dir = await mkdtemp(join(tmpdir(), 'trec-profile-bench-'))
  try {
    const file = join(dir, 'export.ndjson')
    await writeSyntheticExport(file, verifyEvents, origin, key.privateKey)
    const keys = await KeySet.create([{ name: origin, publicKey: key.publicKey, notBefore: new Date(0) }])
    const run = async () => {
      const started = performance.now()
      const result = await verifyFile(file, { trust: { origin, keys }, threads: 1 })
      if (!result.ok) throw new Error(`the ${name} export did not verify: ${JSON.stringify(result.failure)}`)
      return rate(verifyEvents, performance.now() - started)
    }
    await run() // untimed: the first read of a fresh file
    const verify = Math.max(await run(), await run())
    return { tree: treeRate, sign: signRate, verify }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

enableCompileCache()
const loadBefore = load()
const international = await measure('international')
console.log('international', international)
const gm = await measure('gm')
console.log('gm', gm)
const ratio = (a: number, b: number) => (b / a).toFixed(2)
const row = (what: string, key: keyof Figures) =>
  `| ${what} | ${fmt(international[key])} | ${fmt(gm[key])} | ${ratio(international[key], gm[key])} |`

await writeSection('audit-profiles', [
  '## Audit log: the international and gm (国密) crypto profiles',
  '',
  'Command: `npx pnpm@10.34.9 run bench:audit:profiles` (`BENCH_VERIFY_EVENTS`, `BENCH_HASHES`). Both profiles in one',
  `process, one after the other, on ${cpus().length} shared cores (load ${loadBefore} before, ${load()} after), Node ${process.version}.`,
  "The tree row is the notary's hashing per event (leaf hash of a face check, ~620 bytes, and the node hashes its",
  "append completes), without the database; the notary's database work is the same in both profiles. Verify is",
  '`trec-verify` on a synthetic export, one thread.',
  '',
  '| per second | international (SHA-256, Ed25519) | gm (SM3, SM2) | gm / international |',
  '| --- | ---: | ---: | ---: |',
  row('tree appends (notary hashing)', 'tree'),
  row('checkpoints signed (signed note)', 'sign'),
  row(`export events verified (${fmt(verifyEvents)} events, 1 thread)`, 'verify'),
  '',
])
