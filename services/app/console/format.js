// How people read times in the console: China time (UTC+8, no daylight saving), in the language
// of the page.

const CHINA = 'Asia/Shanghai'

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
