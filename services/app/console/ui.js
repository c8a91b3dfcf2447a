// What the role pages share: a titled card, an outcome line, a list paged by the API's opaque
// cursor with its "more" button, query strings without empty values, and table columns.

import { ElAlert, ElButton, ElCard, ElTableColumn } from 'element-plus'
import { h, ref } from 'vue'
import { has, t } from './i18n.js'

export const card = (title, hint, body, test) =>
  h(
    ElCard,
    { shadow: 'never', 'data-test': `card-${test}` },
    { header: () => [h('h2', title), hint ? h('p', { class: 'hint' }, hint) : null], default: body },
  )

export const outcome = (state, test) =>
  state
    ? h(ElAlert, {
        type: state.type,
        closable: false,
        showIcon: true,
        title: state.text,
        'data-test': test,
        'data-reason': state.reason ?? '',
      })
    : null

/** A refused or failed request, as an outcome. */
export const failed = (error) => ({ type: 'error', text: t('error', { message: error.message }) })

/** `?a=1&b=2` without the parameters that are undefined or empty. */
export const query = (params) =>
  new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ).toString()

/** A list the API pages by cursor: `load()` the first page, `load(true)` the next; `total` when the list counts. */
export function paged(fetchPage) {
  const rows = ref([])
  const next = ref()
  const total = ref()
  const state = ref()
  const loading = ref(false)
  async function load(more = false) {
    loading.value = true
    try {
      const page = await fetchPage(more ? next.value : undefined)
      rows.value = more ? [...rows.value, ...page.items] : page.items
      next.value = page.nextCursor
      total.value = page.total
      state.value = undefined
    } catch (error) {
      state.value = failed(error)
    } finally {
      loading.value = false
    }
  }
  return { rows, next, total, state, loading, load }
}

export const more = (list, test) =>
  list.next.value
    ? h(ElButton, { style: 'margin-top: 12px', onClick: () => list.load(true), 'data-test': test }, () =>
        t('more'),
      )
    : null

/** A table column whose cells `render(row)` draws. */
export const column = (label, render, props = {}) =>
  h(ElTableColumn, { label, ...props }, { default: ({ row }) => render(row) })

/** The actions column: one primary button a row, `text(row)` on it, `act(row)` on a click. */
export const actionColumn = (text, act, test, width) =>
  column(
    t('actions'),
    (row) =>
      h(ElButton, { size: 'small', type: 'primary', onClick: () => act(row), 'data-test': test }, () =>
        text(row),
      ),
    { width },
  )

/** An event type in the page's words (「支付补贴」 for SubsidyPaid), or as the record names it. */
export const eventName = (type) => (has(`eventNames.${type}`) ? t(`eventNames.${type}`) : type)
