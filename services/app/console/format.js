// How people read amounts and times in the console: yuan (amounts are kept in fen) and China
// time (UTC+8, no daylight saving), in the language of the page.

const CHINA = 'Asia/Shanghai'

/** @param {number} fen @param {string} lang */
export function yuan(fen, lang) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'zh-CN', {
    style: 'currency',
    currency: 'CNY',
  }).format(fen / 100)
}

/** @param {string | number | Date} instant @param {string} lang */
export function chinaTime(instant, lang) {
  const text = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: CHINA,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(instant))
  return `${text} (UTC+8)`
}

/** A share (0–1) as a percentage with one decimal. */
export const percent = (share) => `${(share * 100).toFixed(1)}%`

/** Today's date in China, `YYYY-MM-DD`. */
export const chinaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: CHINA }).format(new Date())

/**
 * A China time typed as `YYYY-MM-DD`, `YYYY-MM-DD HH:mm` or `YYYY-MM-DD HH:mm:ss` (a `T` may
 * stand for the space), as an ISO 8601 instant with its +08:00 offset; undefined if it is not one.
 * @param {string} text
 */
export function fromChinaTime(text) {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2})?)?$/.exec(text.trim())
  if (!m) return undefined
  const iso = `${m[1]}T${m[2] ?? '23:59'}${m[3] ?? (m[2] ? ':00' : ':59')}+08:00`
  return Number.isNaN(Date.parse(iso)) ? undefined : iso
}
