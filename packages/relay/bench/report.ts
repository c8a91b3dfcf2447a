import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const file = join(import.meta.dirname, '../../../BENCHMARKS.md')

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md. */
export async function writeSection(name: string, lines: string[]): Promise<void> {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const body = `${start}\n${lines.join('\n')}\n${end}`
  let text = await readFile(file, 'utf8').catch(() => '# Benchmarks\n')
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  text =
    a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + end.length) : `${text.trimEnd()}\n\n${body}\n`
  await writeFile(file, text)
  console.log(`wrote the ${name} section of BENCHMARKS.md`)
}
