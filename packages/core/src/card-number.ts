// The social-security card number (社会保障卡号) is the holder's citizen ID number (公民身份号码),
// whose structure GB 11643-1999 fixes: a 6-digit administrative-division code (GB/T 2260), an
// 8-digit birth date YYYYMMDD, a 3-digit sequence code and one check character computed with
// ISO 7064 MOD 11-2. Nothing in this file ever copies the number, or any part of it, into an
// error: a card number is the person's identity, and errors end up in logs and answers.

import { chinaDay } from './china-time.ts'
import { type Issue, TrecError } from './errors.ts'

export type CardNumberIssueCode =
  | 'wrong_length'
  | 'invalid_characters'
  | 'invalid_birth_date'
  | 'invalid_region'
  | 'invalid_check_digit'

export interface CardNumberIssue extends Issue {
  code: CardNumberIssueCode
}

export type CardNumberResult = { ok: true; value: string } | { ok: false; issues: CardNumberIssue[] }

export interface CardNumberOptions {
  /** Where the number sits in the input, copied into every issue's `path`. */
  path?: (string | number)[]
  /** The present moment, to refuse birth dates in the future. Defaults to the clock. */
  now?: Date
}

export const cardNumberLength = 18

/** Whitespace of any kind (ASCII, no-break, the ideographic space U+3000) and the hyphens and dashes people type between digit groups. */
export const cardNumberSeparator = /[\s\-\u2010-\u2015\u2212]/u
const separators = new RegExp(cardNumberSeparator.source, 'gu')

// Full-width forms U+FF01..U+FF5E are the ASCII characters U+0021..U+007E shifted by 0xFEE0
// (Unicode block "Halfwidth and Fullwidth Forms"): Chinese input methods produce them for
// digits and letters, and the full-width hyphen U+FF0D becomes '-' and is then dropped.
const fullWidth = /[\uFF01-\uFF5E]/gu

/** ISO 7064 MOD 11-2 weights: position i (0-based, left to right) weighs 2^(17-i) mod 11. */
const weights = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11)
/** GB 11643-1999 §6.2: the check character for sum mod 11 = 0, 1, 2, ... */
const checkCharacters = '10X98765432'

/** Trims, maps full-width digits and letters to ASCII, drops spaces and hyphens, and upper-cases `x`. Does not validate. */
export function canonicalCardNumber(raw: string): string {
  return raw
    .trim()
    .replace(fullWidth, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(separators, '')
    .replaceAll('x', 'X')
}

/** The check character GB 11643-1999 gives the first 17 digits (which must be ASCII digits). */
export function cardNumberCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (weights[i] ?? 0)
  return checkCharacters[sum % 11] ?? ''
}

/**
 * Normalises and checks a card number. Reports every independent problem it finds; the date,
 * region and check-character checks only run once the shape (18 characters, digits, X last) is right.
 */
export function validateCardNumber(raw: string, options: CardNumberOptions = {}): CardNumberResult {
  const path = options.path ?? []
  const issue = (code: CardNumberIssueCode, message: string): CardNumberIssue => ({
    path: [...path],
    code,
    message,
  })
  if (typeof raw !== 'string') {
    return { ok: false, issues: [issue('invalid_characters', 'A card number must be a string.')] }
  }
  const value = canonicalCardNumber(raw)
  const issues: CardNumberIssue[] = []
  if (value.length !== cardNumberLength) {
    issues.push(
      issue(
        'wrong_length',
        `A card number has ${cardNumberLength} characters; this one has ${value.length} once spaces and hyphens are removed.`,
      ),
    )
  }
  if (!/^[0-9]*[0-9X]?$/.test(value)) {
    issues.push(
      issue('invalid_characters', 'Only digits are allowed, with X permitted as the last character.'),
    )
  }
  if (issues.length > 0) return { ok: false, issues }

  if (!plausibleRegion(value.slice(0, 6))) {
    issues.push(
      issue(
        'invalid_region',
        'The first six digits are not a plausible administrative-division code (GB/T 2260).',
      ),
    )
  }
  if (!plausibleBirthDate(value.slice(6, 14), options.now ?? new Date())) {
    issues.push(
      issue('invalid_birth_date', 'Digits 7 to 14 are not a real birth date between 1900-01-01 and today.'),
    )
  }
  if (cardNumberCheckCharacter(value) !== value[17]) {
    issues.push(
      issue(
        'invalid_check_digit',
        'The check character does not match the other digits (ISO 7064 MOD 11-2).',
      ),
    )
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value }
}

/**
 * Returns the normalised card number (18 ASCII characters, upper-case X) or throws
 * `TrecError('TREC_INVALID_CARD_NUMBER')` whose issues name each reason. The error never holds
 * the number.
 */
export function normaliseCardNumber(raw: string, options: CardNumberOptions = {}): string {
  const result = validateCardNumber(raw, options)
  if (result.ok) return result.value
  throw new TrecError('TREC_INVALID_CARD_NUMBER', 'The card number is not a valid citizen ID number.', {
    issues: result.issues,
  })
}

/** True when `raw` normalises to a valid card number. */
export function isCardNumber(raw: string, options: Omit<CardNumberOptions, 'path'> = {}): boolean {
  return validateCardNumber(raw, options).ok
}

// GB/T 2260 codes never start with 0; 1-8 are the mainland provinces, Taiwan, Hong Kong and
// Macao, and 9 begins the 2023 foreigners' permanent-residence ID numbers that share the
// GB 11643 layout. A finer check against the published code list is left out on purpose: codes
// are retired and re-issued, and people keep the number their birthplace had when it was issued.
function plausibleRegion(code: string): boolean {
  return /^[1-9][0-9]{5}$/.test(code)
}

function plausibleBirthDate(yyyymmdd: string, now: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4))
  const month = Number(yyyymmdd.slice(4, 6))
  const day = Number(yyyymmdd.slice(6, 8))
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false
  // Day 0 of the next month is the last day of this one.
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false
  // Not after today in China, where the birth dates were recorded.
  return yyyymmdd <= chinaDay(now).replaceAll('-', '')
}
