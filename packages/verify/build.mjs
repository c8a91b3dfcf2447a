// Builds the standalone verifier: the workspace's trec-verify (services/audit/src/verify), with
// the code it uses (@trec/merkle, @trec/readmodels' folds, @trec/contracts' decoders, jose, zod),
// bundled by esbuild into plain JavaScript for Node 20 or later. Two entry points: the command,
// and the module its verifying threads run (run-pool.ts loads run-worker.js beside itself). No
// source lives here: the one home of the verifier stays services/audit. Runs on `npm pack`.

import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'

const verify = join(import.meta.dirname, '../../services/audit/src/verify')
const out = join(import.meta.dirname, 'dist')

await rm(out, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints: { cli: join(verify, 'cli.ts'), 'run-worker': join(verify, 'run-worker.ts') },
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The two entries share the line checker's code; one copy each keeps a thread's start simple.
  splitting: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // A bundled CommonJS package (the SM2 signatures of the gm profile) requires Node's built-ins;
  // an ES module has no `require` of its own, so the bundle makes one.
  banner: {
    js: "import { createRequire as __trecRequire } from 'node:module'; const require = __trecRequire(import.meta.url);",
  },
})

// The bundled npm packages and their licences, in one file beside the bundle.
const packages = new Set()
for (const input of Object.keys(metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
  if (match) packages.add(match[1])
}
const notices = []
for (const root of [...packages].sort()) {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
  const licence = (await readdir(root)).find((f) => /^licen[cs]e/i.test(f))
  const text = licence ? await readFile(join(root, licence), 'utf8') : `licence: ${manifest.license}`
  notices.push(`${manifest.name} ${manifest.version} (${manifest.license})\n\n${text.trim()}\n`)
}
await writeFile(join(out, 'THIRD-PARTY-LICENSES.txt'), notices.join(`\n${'-'.repeat(72)}\n\n`))
