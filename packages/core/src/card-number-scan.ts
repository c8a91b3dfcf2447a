// Finding card numbers inside free text: stream names (the event store refuses them) and log
// lines (redacted before they are written).
//
// What counts as a run: a group of digits (ASCII or full-width) and X, possibly split into
// several groups by one space or hyphen each ("110105 19491231 002X"), that normalises to a
// valid card number. A group glued to another letter or digit is not a candidate: that keeps
// hex identifiers (pseudonyms, hashes) and longer numbers (bank accounts) from being mistaken for
// card numbers, at the price of missing a number written straight after a Latin letter ("ID1101...").
// Chinese characters and punctuation are boundaries, so "身份证号11010519491231002X" is found.

import { cardNumberLength, cardNumberSeparator, isCardNumber } from './card-number.ts'

const group = /[0-9\uFF10-\uFF19XxＸｘ]+/gu
const alphanumeric = /[0-9A-Za-z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/u
const separator = new RegExp(`^(?:${cardNumberSeparator.source}|\uFF0D)$`, 'u')

interface Group {
  start: number
  end: number
}

/** The [start, end) ranges of `text` that hold a valid card number, in order, not overlapping. */
export function findCardNumbers(text: string, options: { now?: Date } = {}): Array<[number, number]> {
  const found: Array<[number, number]> = []
  let chain: Group[] = []
  const flush = () => {
    for (let i = 0; i < chain.length; i++) {
      let length = 0
      for (let j = i; j < chain.length; j++) {
        const first = chain[i] as Group
        const last = chain[j] as Group
        length += last.end - last.start
        if (length > cardNumberLength) break
        if (length === cardNumberLength && isCardNumber(text.slice(first.start, last.end), options)) {
          const previous = found.at(-1)
          if (previous !== undefined && first.start < previous[1])
            previous[1] = Math.max(previous[1], last.end)
          else found.push([first.start, last.end])
        }
      }
    }
    chain = []
  }
  for (const match of text.matchAll(group)) {
    const start = match.index
    const end = start + match[0].length
    const before = text[start - 1]
    const after = text[end]
    const glued =
      (before !== undefined && alphanumeric.test(before)) || (after !== undefined && alphanumeric.test(after))
    if (glued) {
      flush()
      continue
    }
    const previous = chain.at(-1)
    if (previous !== undefined && !(start - previous.end === 1 && separator.test(text[previous.end] ?? '')))
      flush()
    chain.push({ start, end })
  }
  flush()
  return found
}

/** True when the text holds any run that is a valid card number (see the rules above). */
export function looksLikeCardNumber(text: string): boolean {
  return findCardNumbers(text).length > 0
}

/** Replaces every run that is a valid card number with `[card]`. */
export function redactCardNumbers(text: string): string {
  const found = findCardNumbers(text)
  if (found.length === 0) return text
  let out = ''
  let from = 0
  for (const [start, end] of found) {
    out += `${text.slice(from, start)}[card]`
    from = end
  }
  return out + text.slice(from)
}

const fillers = /[\s\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D\u3000]/gu

/**
 * Screening of free text and client-chosen ids before anything is stored: true when the text,
 * once full-width forms are folded to ASCII (NFKC) and every space and dash is removed, holds 18
 * consecutive characters that are a valid card number. Stricter than `findCardNumbers` (which
 * must not redact hex ids in log lines): a number split by any spacing, or glued to a word
 * ("ID1101…"), is caught too. Meant for text people type, not for identifiers the server made.
 */
export function containsCardNumber(text: string, options: { now?: Date } = {}): boolean {
  const folded = text.normalize('NFKC').replace(fillers, '')
  for (const run of folded.matchAll(/[0-9Xx]{18,}/g))
    for (let i = 0; i + cardNumberLength <= run[0].length; i++)
      if (isCardNumber(run[0].slice(i, i + cardNumberLength), options)) return true
  return false
}
