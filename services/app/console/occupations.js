// Occupations by name and code: the titles come from the 培训项目目录 the regions publish
// (GET /v1/catalogue/{region}, public by policy), read once per region for the county, its city
// and its province, and shown as 「电工（6-31-01-03）」. A code no catalogue names is shown bare.

import { reactive } from 'vue'
import { api } from './api.js'
import { t } from './i18n.js'

const titles = reactive(new Map())
const asked = new Set()

/** Learns the titles published for a 6-digit region and the city and province above it. */
export async function learnOccupations(region) {
  if (!/^\d{6}$/.test(region ?? '')) return
  const regions = [region, `${region.slice(0, 4)}00`, `${region.slice(0, 2)}0000`].filter(
    (r) => !asked.has(r),
  )
  for (const r of regions) asked.add(r)
  await Promise.all(
    regions.map(async (r) => {
      try {
        for (const p of (await api(`/v1/catalogue/${r}`)).programmes)
          if (p.occupationCode && p.occupationTitle) titles.set(p.occupationCode, p.occupationTitle)
      } catch {
        asked.delete(r)
      }
    }),
  )
}

/** 「电工（6-31-01-03）· 四级」, or the code alone when no catalogue read so far names it. */
export function occupation(code, level, title) {
  if (!code) return '—'
  const name = title ?? titles.get(code)
  const text = name ? t('occupation', { name, code }) : code
  return level ? `${text} · ${t('level', { level })}` : text
}
