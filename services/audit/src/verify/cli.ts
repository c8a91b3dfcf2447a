#!/usr/bin/env node
// trec-verify: checks an audit export offline, with no server.
//
//   node services/audit/src/verify/cli.ts export.ndjson --keys pinned.jwks
//        [--seen checkpoints.txt] [--update-seen] [--expect result.json] [--fold name]
//        [--origin origin] [--threads n] [--progress]
//
// Exit 0: everything verified (a JSON report on stdout). Exit 1: the first item that fails is
// named on stderr (line, event id, reason) and as JSON on stdout. Exit 2: wrong usage.

import { createReadStream } from 'node:fs'
import { appendFile, readFile, stat } from 'node:fs/promises'
import { enableCompileCache } from 'node:module'
import { parseArgs } from 'node:util'
import { describeFailure, VerificationFailed } from './failure.ts'
import { folds } from './folds.ts'
import { pinnedKeys, seenCheckpoints, trustFor } from './inputs.ts'
import { progressBar } from './progress.ts'
import { verifyFile } from './run.ts'

const usage = `usage: trec-verify <export.ndjson> --keys <pinned.jwks | keys.note>
  [--seen <checkpoints.txt>] [--update-seen] [--expect <result.json>]
  [--fold ${Object.keys(folds).join('|')}|none] [--origin <origin>] [--threads <n>] [--progress]`

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>
  try {
    args = parse(argv)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    return 2
  }
  const file = args.positionals[0]
  const { keys: keysFile, seen: seenFile, expect: expectFile, fold, origin } = args.values
  const threads = args.values.threads === undefined ? undefined : Number(args.values.threads)
  if (!file || !keysFile || args.positionals.length > 1) {
    process.stderr.write(`${usage}\n`)
    return 2
  }
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    process.stderr.write(`--threads takes a whole number from 1 to 64\n${usage}\n`)
    return 2
  }
  if (fold !== undefined && fold !== 'none' && !(fold in folds)) {
    process.stderr.write(`unknown fold ${fold}\n${usage}\n`)
    return 2
  }
  const trust = trustFor(await pinnedKeys(await readFile(keysFile, 'utf8')), origin)
  let seen: ReturnType<typeof seenCheckpoints> = []
  try {
    seen = seenFile ? seenCheckpoints(await readFile(seenFile, 'utf8').catch(() => ''), trust) : []
  } catch (error) {
    if (error instanceof VerificationFailed) return report({ ok: false, failure: error.failure })
    throw error
  }
  const expected = expectFile ? JSON.parse(await readFile(expectFile, 'utf8')) : undefined
  const expect = isFoldExpectation(expected) ? expected.result : expected
  const foldName =
    fold === 'none' ? null : (fold ?? (isFoldExpectation(expected) ? expected.fold : undefined))
  const total = (await stat(file)).size
  const bar = args.values.progress || process.stderr.isTTY ? progressBar(total) : undefined
  const result = await verifyFile(
    file,
    {
      trust,
      seen,
      ...(foldName === undefined ? {} : { fold: foldName }),
      ...(expect === undefined ? {} : { expect }),
      ...(threads === undefined ? {} : { threads }),
    },
    bar?.update,
  )
  bar?.done()
  if (result.ok && seenFile && args.values['update-seen']) {
    const header = JSON.parse(await firstLine(file)) as { checkpoint: { note: string } }
    await appendFile(seenFile, `${header.checkpoint.note}\n`)
  }
  return report(result)
}

async function firstLine(file: string): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    const buffer = chunk as Buffer
    const end = buffer.indexOf(0x0a)
    if (end !== -1) {
      parts.push(buffer.subarray(0, end))
      break
    }
    parts.push(buffer)
  }
  return Buffer.concat(parts).toString('utf8')
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      keys: { type: 'string' },
      seen: { type: 'string' },
      'update-seen': { type: 'boolean' },
      expect: { type: 'string' },
      fold: { type: 'string' },
      origin: { type: 'string' },
      threads: { type: 'string' },
      progress: { type: 'boolean' },
    },
  })
}

function isFoldExpectation(value: unknown): value is { fold: string; result: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { fold?: unknown }).fold === 'string' &&
    'result' in value
  )
}

function report(result: Awaited<ReturnType<typeof verifyFile>>): number {
  if (result.ok) {
    process.stdout.write(`${JSON.stringify({ ok: true, ...result.report }, null, 2)}\n`)
    return 0
  }
  process.stderr.write(`verification FAILED: ${describeFailure(result.failure)}\n`)
  process.stdout.write(`${JSON.stringify({ ok: false, failure: result.failure }, null, 2)}\n`)
  return 1
}

// The verifying threads start faster with their modules compiled once (the cache is Node's own).
enableCompileCache()
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`trec-verify: ${(error as Error).message}\n`)
    process.exitCode = 2
  },
)
