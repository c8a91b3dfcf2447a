// Rows in the text format of PostgreSQL's COPY (one line per row, columns separated by tabs),
// which the notary loads its batches with: the server reads it with less work than the same
// rows sent as array parameters and unnested. Only backslash, tab, newline and carriage return
// need escaping in a value; `\N` is null.

const special = /[\\\t\n\r]/
const specials = /[\\\t\n\r]/g
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** A text value (or null), escaped for a COPY line. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N'
  return special.test(value) ? value.replace(specials, (c) => escapes[c]!) : value
}

/** A bytea value from its hex, as COPY reads it: `\x` and the hex, the backslash escaped. */
export function copyBytea(hex: string): string {
  return `\\\\x${hex}`
}

/** One line: the values, already escaped, tab-separated. */
export function copyRow(...values: string[]): string {
  return `${values.join('\t')}\n`
}
