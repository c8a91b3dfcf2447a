#!/usr/bin/env node
// trec-verify: checks what the audit log hands out, offline, with no server: an export (the
// default), a checkpoint, an inclusion proof or a consistency proof. Exit codes: 0 verified (a
// JSON report on stdout); 1 verification failed (the first item that fails named on stderr, as
// JSON on stdout); 2 wrong usage or an input that cannot be read. The same command ships as the
// standalone package @trec/verify (packages/verify), bundled from these sources.

import { createReadStream } from 'node:fs'
import { appendFile, readFile, stat } from 'node:fs/promises'
import * as nodeModule from 'node:module'
import { parseArgs } from 'node:util'
import {
  readCheckpoint,
  verifyCheckpointAnswer,
  verifyConsistencyAnswer,
  verifyInclusionAnswer,
} from './answers.ts'
import { describeFailure, VerificationFailed, type VerifyFailure } from './failure.ts'
import { folds } from './folds.ts'
import { pinnedKeys, seenCheckpoints, trustFor, witnessKeys } from './inputs.ts'
import { progressBar } from './progress.ts'
import { verifyFile } from './run.ts'

const usage = `usage:
  trec-verify [export] <export.ndjson> --keys <pinned.jwks | keys.note>
      [--seen <checkpoints.txt>] [--update-seen] [--expect <answer.json>]
      [--fold ${Object.keys(folds).join('|')}|none] [--threads <n>] [--run-kib <k>] [--progress]
  trec-verify checkpoint <checkpoint.json | checkpoint.note> --keys <…> [--seen <checkpoints.txt>]
  trec-verify inclusion <proof.json> --keys <…> [--checkpoint <file>] [--leaf <event.json>] [--seen <…>]
  trec-verify consistency <proof.json> --keys <…> [--checkpoint <file>] [--seen <checkpoints.txt>]
  trec-verify --help
  Any checkpoint may be required to carry witness cosignatures: [--witnesses <file>] [--cosignatures <k>]

  --keys        the log's keys, pinned out of band: its JWKS (keys.jwks) or note verifier keys
  --origin      the log's origin (default: the name all pinned keys share)
  --seen        checkpoints (signed notes) you saw before: the log must be consistent with them
  --witnesses   pinned witnesses' verifier keys (name+keyid+key, type 0x04), one per line
  --cosignatures how many of them must have cosigned each checkpoint (default: all of them)
  --update-seen after success, add the export's checkpoint to the --seen file
  --expect      the result the replay must give: the card service's whole answer from
                /v1/archive/lookup, or {"fold": name, "result": …}, or the bare result
  --fold        the read-side fold to replay (default: worker-archive for a worker's export,
                worker-totals otherwise; none: no replay)
  --checkpoint  the signed checkpoint a proof is checked against, when the answer has none
  --leaf        the event's leaf bytes (its JCS envelope, as in an export line's "event")
  --threads     threads checking an export's lines (1 to 64; default: cores, at most 8)
  --run-kib     size of the runs of lines handed to the threads, in KiB (1 to 65536; default 4096)
  --progress    a progress bar on stderr (the default on a terminal)

exit codes: 0 verified, 1 verification failed (reason on stderr), 2 wrong usage or unreadable input`

const commands = ['export', 'checkpoint', 'inclusion', 'consistency'] as const
type Command = (typeof commands)[number]

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>
  try {
    args = parse(argv)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    return 2
  }
  if (args.values.help) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const [first, ...rest] = args.positionals
  const command: Command = commands.includes(first as Command) ? (first as Command) : 'export'
  const files = command === 'export' && first !== 'export' ? args.positionals : rest
  const file = files[0]
  const { keys: keysFile, seen: seenFile, fold } = args.values
  const threads = args.values.threads === undefined ? undefined : Number(args.values.threads)
  if (!file || !keysFile || files.length > 1) {
    process.stderr.write(`${usage}\n`)
    return 2
  }
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    process.stderr.write(`--threads takes a whole number from 1 to 64\n${usage}\n`)
    return 2
  }
  const runKib = args.values['run-kib'] === undefined ? undefined : Number(args.values['run-kib'])
  if (runKib !== undefined && !(Number.isInteger(runKib) && runKib >= 1 && runKib <= 65536)) {
    process.stderr.write(`--run-kib takes a whole number from 1 to 65536\n${usage}\n`)
    return 2
  }
  if (fold !== undefined && fold !== 'none' && !(fold in folds)) {
    process.stderr.write(`unknown fold ${fold}\n${usage}\n`)
    return 2
  }
  const trust = trustFor(await pinnedKeys(await readFile(keysFile, 'utf8')), args.values.origin)
  if (args.values.cosignatures !== undefined && !args.values.witnesses) {
    process.stderr.write(`--cosignatures counts the witnesses pinned with --witnesses\n${usage}\n`)
    return 2
  }
  if (args.values.witnesses) {
    const keys = witnessKeys(await readFile(args.values.witnesses, 'utf8'))
    const required = args.values.cosignatures === undefined ? keys.length : Number(args.values.cosignatures)
    if (!(Number.isInteger(required) && required >= 1 && required <= keys.length)) {
      process.stderr.write(
        `--cosignatures takes a whole number from 1 to ${keys.length} (the witnesses pinned)\n`,
      )
      return 2
    }
    trust.witnesses = { keys, required }
  }
  try {
    const seen = seenFile ? seenCheckpoints(await readFile(seenFile, 'utf8').catch(() => ''), trust) : []
    const checkpoint = args.values.checkpoint
      ? readCheckpoint(await readFile(args.values.checkpoint, 'utf8'))
      : undefined
    if (command === 'checkpoint')
      return succeed(await verifyCheckpointAnswer(readCheckpoint(await readFile(file, 'utf8')), trust, seen))
    if (command === 'inclusion') {
      const leaf = args.values.leaf ? await readFile(args.values.leaf) : undefined
      const answer = JSON.parse(await readFile(file, 'utf8'))
      return succeed(
        await verifyInclusionAnswer(answer, trust, {
          seen,
          ...(checkpoint ? { checkpoint } : {}),
          ...(leaf ? { leaf: trimFinalNewline(leaf) } : {}),
        }),
      )
    }
    if (command === 'consistency') {
      const answer = JSON.parse(await readFile(file, 'utf8'))
      return succeed(
        await verifyConsistencyAnswer(answer, trust, { seen, ...(checkpoint ? { checkpoint } : {}) }),
      )
    }
    const expected = args.values.expect
      ? expectation(JSON.parse(await readFile(args.values.expect, 'utf8')))
      : {}
    const foldName = fold === 'none' ? null : (fold ?? expected.fold)
    const total = (await stat(file)).size
    const bar = args.values.progress || process.stderr.isTTY ? progressBar(total) : undefined
    const result = await verifyFile(
      file,
      {
        trust,
        seen,
        ...(foldName === undefined ? {} : { fold: foldName }),
        ...('result' in expected ? { expect: expected.result } : {}),
        ...(threads === undefined ? {} : { threads }),
        ...(runKib === undefined ? {} : { runBytes: runKib * 1024 }),
      },
      bar?.update,
    )
    bar?.done()
    if (result.ok && seenFile && args.values['update-seen']) {
      const header = JSON.parse(await firstLine(file)) as { checkpoint: { note: string } }
      await appendFile(seenFile, `${header.checkpoint.note}\n`)
    }
    return result.ok ? succeed(result.report) : failed(result.failure)
  } catch (error) {
    if (error instanceof VerificationFailed) return failed(error.failure)
    throw error
  }
}

/** A leaf file may end in the newline an editor or `jq` adds; a leaf's JSON never does. */
function trimFinalNewline(bytes: Buffer): Buffer {
  return bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes
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
      'run-kib': { type: 'string' },
      progress: { type: 'boolean' },
      checkpoint: { type: 'string' },
      leaf: { type: 'string' },
      witnesses: { type: 'string' },
      cosignatures: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/**
 * What `--expect` holds: `{fold, result}`; the card service's whole answer to a lookup
 * (`{worker, archive, access}`: the archive is what the worker-archive replay must give); or the
 * bare result of the default fold.
 */
function expectation(value: unknown): { fold?: string; result?: unknown } {
  if (typeof value !== 'object' || value === null) return { result: value }
  const v = value as { fold?: unknown; result?: unknown; worker?: unknown; archive?: unknown }
  if (typeof v.fold === 'string' && 'result' in v) return { fold: v.fold, result: v.result }
  if (typeof v.worker === 'string' && typeof v.archive === 'object' && v.archive !== null)
    return { fold: 'worker-archive', result: v.archive }
  return { result: value }
}

function succeed(report: object): number {
  process.stdout.write(`${JSON.stringify({ ok: true, ...report }, null, 2)}\n`)
  return 0
}

function failed(failure: VerifyFailure): number {
  process.stderr.write(`verification FAILED: ${describeFailure(failure)}\n`)
  process.stdout.write(`${JSON.stringify({ ok: false, failure }, null, 2)}\n`)
  return 1
}

// The verifying threads start faster with their modules compiled once (the cache is Node's own,
// from Node 22.1; older versions go without).
nodeModule.enableCompileCache?.()
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`trec-verify: ${(error as Error).message}\n`)
    process.exitCode = 2
  },
)
